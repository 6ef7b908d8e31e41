//! Escape and exhaustion attempts against the wasm sandbox. Each test asserts that the attempt
//! failed or was stopped, that the host (this test process) is still healthy, and that the
//! next run works.

//!
//! Every case runs on both wasm interpreters: RustPython (the default) and CPython with the
//! scientific stack (fetched on first use).

mod rustpython {
    fn backend() -> aucoder_sandbox::WasmBackend {
        aucoder_sandbox::WasmBackend::shared().expect("the interpreter module loads")
    }

    include!("containment/cases.rs");
}

mod cpython {
    fn backend() -> aucoder_sandbox::CpythonBackend {
        aucoder_sandbox::CpythonBackend::shared(true).expect("the CPython runtime loads")
    }

    include!("containment/cases.rs");
}
