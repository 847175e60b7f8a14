"""The onnx package's own checker on the files nnscratch exported (tests/test_onnx.cpp).

    /usr/bin/python3 check_models.py MODEL.onnx...

Debian's python3-onnx (tests/onnx/ensure_tools.sh installs it). For every file:
  * onnx.checker.check_model(full_check=True): the graph is well formed, every operator
    exists in the declared opset with valid attributes, and strict shape inference agrees
    with the declared input and output shapes;
  * the opset is 13 or later, there is one input and one output, and both have the
    symbolic batch dimension "N" followed by fixed sizes.
Prints one line per file; any problem ends the run with status 1 and says which file.
"""
import sys

import onnx


def dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    assert opset >= 13, f"opset {opset}, expected 13 or later"
    graph = model.graph
    assert len(graph.input) == 1 and len(graph.output) == 1, "expected one input and one output"
    for v in (graph.input[0], graph.output[0]):
        shape = dims(v)
        assert shape[0] == "N" and all(isinstance(d, int) and d > 0 for d in shape[1:]), \
            f"{v.name}: shape {shape}, expected ['N', sizes...]"
    ops = {}
    for node in graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    summary = ", ".join(f"{op} {n}" if n > 1 else op for op, n in ops.items())
    print(f"onnx {onnx.__version__} checker: {path.rsplit('/', 1)[-1]} ok (opset {opset}, "
          f"{graph.input[0].name} {dims(graph.input[0])} -> {graph.output[0].name} {dims(graph.output[0])}; {summary})")


failed = 0
for path in sys.argv[1:]:
    try:
        check(path)
    except Exception as err:  # report every file, then fail
        print(f"onnx checker: {path} FAILED: {err}")
        failed += 1
sys.exit(1 if failed or len(sys.argv) < 2 else 0)
