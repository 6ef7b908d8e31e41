"""Exception chaining with raise from, __cause__, __context__, and traceback summaries."""
import traceback

class ConfigError(Exception):
    pass

def parse_port(value):
    try:
        port = int(value)
    except ValueError as exc:
        raise ConfigError(f"invalid port {value!r}") from exc
    if not 0 < port < 65536:
        raise ConfigError(f"port out of range: {port}")
    return port

def load(config):
    try:
        return {"host": config["host"], "port": parse_port(config.get("port", "80"))}
    except KeyError:
        raise ConfigError("missing host")

def describe(exc):
    parts = [f"{type(exc).__name__}({exc})"]
    if exc.__cause__ is not None:
        parts.append(f"cause={type(exc.__cause__).__name__}")
    elif exc.__context__ is not None:
        parts.append(f"context={type(exc.__context__).__name__}")
    if exc.__suppress_context__:
        parts.append("suppressed")
    return " ".join(parts)

def main():
    configs = [
        {"host": "a.example", "port": "8080"},
        {"host": "b.example", "port": "http"},
        {"host": "c.example", "port": "70000"},
        {"port": "22"},
    ]
    for cfg in configs:
        try:
            print("loaded:", load(cfg))
        except ConfigError as e:
            print("error:", describe(e))
    try:
        try:
            {}["k"]
        except KeyError:
            raise RuntimeError("lookup failed") from None
    except RuntimeError as e:
        print("from None:", describe(e))
    try:
        parse_port("abc")
    except ConfigError as e:
        lines = traceback.format_exception_only(type(e), e)
        print("format_exception_only:", lines[-1].strip())
        te = traceback.TracebackException.from_exception(e)
        print("exc_type name:", te.exc_type.__name__, "| str:", str(te).strip())
        print("cause type:", type(e.__cause__).__name__)
    errors = []
    for raw in ["443", "-1", "x1", "65535"]:
        try:
            parse_port(raw)
        except ConfigError as e:
            errors.append(f"{raw}:{type(e.__cause__).__name__ if e.__cause__ else 'none'}")
    print("cause summary:", errors)

if __name__ == "__main__":
    main()
