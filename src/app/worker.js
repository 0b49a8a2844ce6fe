// Fluocount's compute worker. It loads the page's own WebAssembly module (sent by the page with
// the address of its JavaScript glue) and hands every request to Rust (`worker_handle`), which
// answers with bytes. Requests that arrive while the module is loading wait in order.
let handle = null;
const waiting = [];

function run(message) {
  try {
    const out = handle(new Uint8Array(message.bytes));
    self.postMessage({ id: message.id, bytes: out.buffer }, [out.buffer]);
  } catch (err) {
    self.postMessage({ id: message.id, error: String(err && err.message ? err.message : err) });
  }
}

self.onmessage = async (event) => {
  const data = event.data;
  if (data && data.init) {
    try {
      const glue = await import(data.init.glue);
      await glue.default({ module_or_path: data.init.module });
      handle = glue.worker_handle;
      self.postMessage({ ready: true });
      for (const m of waiting.splice(0)) run(m);
    } catch (err) {
      self.postMessage({ fatal: String(err && err.message ? err.message : err) });
    }
    return;
  }
  if (handle) run(data);
  else waiting.push(data);
};
