// Fluocount's compute worker (and, started apart from the pool, its training worker). It loads the page's own WebAssembly module (sent by the page with
// the address of its JavaScript glue) and hands every request to Rust (`worker_handle`), which
// answers with bytes. Requests that arrive while the module is loading wait in order.
//
// A request may come with files (a batch job's image and mask, as `File` objects): the worker
// reads them itself, so the page never copies their bytes, and starts reading at once, so that
// the next file is in memory when the current one is done. What it read goes to Rust
// (`worker_handle_files`) as a Uint8Array per file, or the file's size when it is over the limit
// (Rust words the refusal), or a string saying why it could not be read.
let glue = null;
const waiting = [];

const messageOf = (err) => String(err && err.message ? err.message : err);

function reply(id, out) {
  self.postMessage({ id, bytes: out.buffer }, [out.buffer]);
}

function fail(id, err) {
  self.postMessage({ id, error: messageOf(err) });
}

async function readFile(file) {
  if (!(file.size <= glue.max_file_bytes())) return file.size;
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (err) {
    return `could not be read (${messageOf(err)})`;
  }
}

// Requests with files run in the order they came, each once its own files are read.
let queue = Promise.resolve();

function run(message) {
  if (message.train) {
    // Training: progress goes to the page after each tree; the page ends the worker to cancel.
    // `tick` is an encoded progress response (trees done and in all).
    const progress = (tick) => self.postMessage({ id: message.id, progress: tick.buffer }, [tick.buffer]);
    try {
      reply(message.id, glue.worker_train(new Uint8Array(message.bytes), progress));
    } catch (err) {
      fail(message.id, err);
    }
    return;
  }
  if (!message.files) {
    try {
      reply(message.id, glue.worker_handle(new Uint8Array(message.bytes)));
    } catch (err) {
      fail(message.id, err);
    }
    return;
  }
  const read = Promise.all(message.files.map(readFile));
  queue = queue.then(async () => {
    try {
      const files = await read;
      reply(message.id, glue.worker_handle_files(new Uint8Array(message.bytes), files));
    } catch (err) {
      fail(message.id, err);
    }
  });
}

self.onmessage = async (event) => {
  const data = event.data;
  if (data && data.init) {
    try {
      const module = await import(data.init.glue);
      await module.default({ module_or_path: data.init.module });
      glue = module;
      self.postMessage({ ready: true });
      for (const m of waiting.splice(0)) run(m);
    } catch (err) {
      self.postMessage({ fatal: messageOf(err) });
    }
    return;
  }
  if (glue) run(data);
  else waiting.push(data);
};
