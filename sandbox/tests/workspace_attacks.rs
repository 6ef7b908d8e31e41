//! Attempts on the workspace itself: cheating the disk quota, and planting the files aucoder
//! reads configuration or plugins from. Each asserts the attempt was refused or charged, that
//! the workspace holds no more than the quota, and that the next run works.

//!
//! Every case runs on both wasm interpreters.

mod rustpython {
    fn backend() -> aucoder_sandbox::WasmBackend {
        aucoder_sandbox::WasmBackend::shared().expect("the interpreter module loads")
    }

    include!("workspace_attacks/cases.rs");
}

mod cpython {
    fn backend() -> aucoder_sandbox::CpythonBackend {
        aucoder_sandbox::CpythonBackend::shared(true).expect("the CPython runtime loads")
    }

    include!("workspace_attacks/cases.rs");
}
