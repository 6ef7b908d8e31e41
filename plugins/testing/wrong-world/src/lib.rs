//! A well-formed WebAssembly component that is not an agent: it exports `greet` instead of
//! the `aucoder:agent/agent` interface. Loading it must fail with an error naming the file.

wit_bindgen::generate!({
    inline: "
        package test:wrong;
        world greeter {
            export greet: func() -> string;
        }
    ",
});

struct Greeter;

impl Guest for Greeter {
    fn greet() -> String {
        "hello".to_owned()
    }
}

export!(Greeter);
