"""Builds tiny-image-encoder.onnx, the test fixture for the embed-image step: a real (if tiny) image
encoder with CLIP's input layout. Input pixel_values float32 [N, 3, 32, 32]; output image_embeds
float32 [N, 16]: Conv 3->8 (4x4, stride 4), Relu, GlobalAveragePool, Flatten, MatMul 8->16. The
weights come from a fixed seed, so the file is the same on every run. Run with Debian's python3-onnx:
    /usr/bin/python3 src/test/resources/embed/make_tiny_image_encoder.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(20261205)
conv_w = rng.normal(0, 0.5, size=(8, 3, 4, 4)).astype(np.float32)
conv_b = rng.normal(0, 0.1, size=(8,)).astype(np.float32)
proj = rng.normal(0, 0.5, size=(8, 16)).astype(np.float32)

nodes = [
    helper.make_node("Conv", ["pixel_values", "conv_w", "conv_b"], ["conv"], kernel_shape=[4, 4], strides=[4, 4]),
    helper.make_node("Relu", ["conv"], ["relu"]),
    helper.make_node("GlobalAveragePool", ["relu"], ["pooled"]),
    helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
    helper.make_node("MatMul", ["flat", "proj"], ["image_embeds"]),
]
graph = helper.make_graph(
    nodes, "tiny_image_encoder",
    [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch", 3, 32, 32])],
    [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch", 16])],
    initializer=[numpy_helper.from_array(conv_w, "conv_w"), numpy_helper.from_array(conv_b, "conv_b"), numpy_helper.from_array(proj, "proj")])
model = helper.make_model(graph, producer_name="kiln-tests", opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, __file__.replace("make_tiny_image_encoder.py", "tiny-image-encoder.onnx"))
