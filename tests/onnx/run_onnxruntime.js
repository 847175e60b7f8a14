// Runs exported .onnx files in onnxruntime (npm's onnxruntime-node, CPU) on inputs the C++
// test wrote, and writes the outputs back for it to compare with nnscratch's predict()
// (tests/test_onnx.cpp; tests/onnx/ensure_tools.sh installs the package).
//
//   node run_onnxruntime.js MODEL INPUT DIMS OUTPUT [MODEL INPUT DIMS OUTPUT ...]
//
// INPUT and OUTPUT are raw float32 files (this machine's byte order, row-major, no header);
// DIMS is the input's shape, e.g. 5,32,32,3. The output's shape goes to OUTPUT.dims as
// "5,10". Each model is loaded once, however many batches run through it, so running one
// model with two batch sizes checks that its batch dimension really is symbolic.
// Any failure prints what went wrong and exits with status 1.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function readFloats(file) {
  const bytes = fs.readFileSync(file);
  // Copy into a buffer of its own: a Float32Array needs 4-byte alignment.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function main(args) {
  if (args.length === 0 || args.length % 4 !== 0) throw new Error('usage: run_onnxruntime.js (MODEL INPUT DIMS OUTPUT)...');
  const sessions = new Map();
  for (let i = 0; i < args.length; i += 4) {
    const [model, input, dimsText, output] = args.slice(i, i + 4);
    if (!sessions.has(model)) sessions.set(model, await ort.InferenceSession.create(model));
    const session = sessions.get(model);
    const dims = dimsText.split(',').map(Number);
    const x = new ort.Tensor('float32', readFloats(input), dims);
    // One input and one output, as nnscratch exports them.
    const results = await session.run({ [session.inputNames[0]]: x });
    const y = results[session.outputNames[0]];
    fs.writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
    fs.writeFileSync(output + '.dims', y.dims.join(','));
    console.log(`onnxruntime ${ort.env.versions.node}: ${path.basename(model)} ${session.inputNames[0]} ` +
                `(${dims.join(', ')}) -> ${session.outputNames[0]} (${y.dims.join(', ')})`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`onnxruntime failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
