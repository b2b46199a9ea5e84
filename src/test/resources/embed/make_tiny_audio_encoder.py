"""Builds the test fixtures of the embed-audio step, two real (if tiny) audio encoders whose weights
are small exact binary fractions given by a formula, so that the tests can compute the same vector
in plain Java and the files are the same on every run:

tiny-audio-encoder-log-mel.onnx: input input_features float32 [batch, 80, frames] (a log-mel
    spectrogram, Whisper's layout, any number of frames); output audio_embeds float32 [batch, 16]:
    the mean over time of each mel band (ReduceMean), times W [80, 16], plus b [16], with
    W[m, d] = ((7 m + 13 d) mod 17 - 8) / 8 and b[d] = (d - 8) / 16.
tiny-audio-encoder-waveform.onnx: input input_values float32 [batch, 32000] (2 s at 16 kHz, a
    static length); output audio_embeds float32 [batch, 16]: the waveform cut into 80 frames of 400
    samples (Reshape), the mean over frames of each sample's absolute value, times V [400, 16], with
    V[k, d] = ((5 k + 11 d) mod 19 - 9) / 8.

Run with Debian's python3-onnx:
    /usr/bin/python3 src/test/resources/embed/make_tiny_audio_encoder.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(graph, name):
    model = helper.make_model(graph, producer_name="kiln-tests", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, __file__.replace("make_tiny_audio_encoder.py", name))


m, d = np.meshgrid(np.arange(80), np.arange(16), indexing="ij")
w = (((7 * m + 13 * d) % 17 - 8) / 8).astype(np.float32)
b = ((np.arange(16) - 8) / 16).astype(np.float32)
save(helper.make_graph(
    [
        helper.make_node("ReduceMean", ["input_features"], ["pooled"], axes=[2], keepdims=0),
        helper.make_node("MatMul", ["pooled", "w"], ["projected"]),
        helper.make_node("Add", ["projected", "b"], ["audio_embeds"]),
    ],
    "tiny_audio_encoder_log_mel",
    [helper.make_tensor_value_info("input_features", TensorProto.FLOAT, ["batch", 80, "frames"])],
    [helper.make_tensor_value_info("audio_embeds", TensorProto.FLOAT, ["batch", 16])],
    initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]), "tiny-audio-encoder-log-mel.onnx")

k, d = np.meshgrid(np.arange(400), np.arange(16), indexing="ij")
v = (((5 * k + 11 * d) % 19 - 9) / 8).astype(np.float32)
save(helper.make_graph(
    [
        helper.make_node("Reshape", ["input_values", "frames"], ["framed"]),
        helper.make_node("Abs", ["framed"], ["magnitude"]),
        helper.make_node("ReduceMean", ["magnitude"], ["pooled"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["pooled", "v"], ["audio_embeds"]),
    ],
    "tiny_audio_encoder_waveform",
    [helper.make_tensor_value_info("input_values", TensorProto.FLOAT, ["batch", 32000])],
    [helper.make_tensor_value_info("audio_embeds", TensorProto.FLOAT, ["batch", 16])],
    initializer=[numpy_helper.from_array(np.array([0, 80, 400], dtype=np.int64), "frames"), numpy_helper.from_array(v, "v")]),
    "tiny-audio-encoder-waveform.onnx")
