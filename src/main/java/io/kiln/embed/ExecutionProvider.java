package io.kiln.embed;

/** Where ONNX Runtime runs the models: the name goes into the snapshot summary. */
public enum ExecutionProvider {
    CPU,
    CUDA
}
