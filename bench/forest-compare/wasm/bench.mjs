// Times train (5,000 rows, as ../src/main.rs builds them) and predict (300 rows) of each
// wasm variant under node (V8, as in a Chrome worker). Usage: node bench.mjs /tmp/dump
import fs from 'fs';
const dir = process.argv[2] ?? '/tmp/dump';
const files = fs.readdirSync(dir).filter(f => f.endsWith('.csv')).sort();
const all = files.flatMap(f => fs.readFileSync(`${dir}/${f}`, 'utf8').trim().split('\n').slice(1)
  .map(l => l.split(',').map(Number)));
const width = all[0].length, rows = 5000;
const data = new Float32Array(rows * width);
for (let i = 0; i < rows; i++) data.set(all[i % all.length], i * width);
const median = v => v.sort((a, b) => a - b)[v.length >> 1];
for (const v of ['none', 'ours', 'smartcore', 'linfa']) {
  const mod = new WebAssembly.Module(fs.readFileSync(`bg/${v}/out-${v}_bg.wasm`));
  const imports = {};  // stub whatever wasm-bindgen glue the module asks for (unused here)
  for (const i of WebAssembly.Module.imports(mod)) (imports[i.module] ??= {})[i.name] = () => { throw new Error(i.name); };
  const { exports: e } = new WebAssembly.Instance(mod, imports);
  const ptr = e.alloc(data.length);
  new Float32Array(e.memory.buffer, ptr, data.length).set(data);
  const tr = [], pr = [];
  let sum;
  for (let r = 0; r < 7; r++) {
    let t = performance.now(); e.train(ptr, rows, width, 7); tr.push(performance.now() - t);
    t = performance.now(); sum = e.predict(ptr, 300, width); pr.push((performance.now() - t) * 1000);
  }
  console.log(`${v.padEnd(10)} train median ${median(tr).toFixed(1)} ms  predict(300) median ${median(pr).toFixed(0)} µs  (train runs ${tr.map(x => x.toFixed(0)).join(',')}; score sum ${sum.toFixed(2)})`);
}
