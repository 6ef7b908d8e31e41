"""A tiny tokenizer and recursive-descent interpreter with variables."""
import re

TOKEN_RE = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?)|(?P<name>[A-Za-z_]\w*)|(?P<op>[-+*/()=]))")

def tokenize(src):
    pos, tokens, src = 0, [], src.rstrip()
    while pos < len(src):
        m = TOKEN_RE.match(src, pos)
        if not m:
            bad = src[pos:].lstrip()[0]
            raise SyntaxError(f"bad character {bad!r} at {src.index(bad, pos)}")
        tokens.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    return tokens

class Interpreter:
    def __init__(self):
        self.vars = {"pi": 3.14159}
    def run(self, line):
        self.toks, self.i = tokenize(line) + [(None, None)], 0
        if len(self.toks) > 3 and self.toks[1] == ("op", "="):
            self.i = 2
            self.vars[self.toks[0][1]] = self.expr()
            return f"{self.toks[0][1]} = {self.vars[self.toks[0][1]]}"
        return self.expr()

    def take(self):
        self.i += 1
        return self.toks[self.i - 1]
    def expr(self):
        value = self.term()
        while self.toks[self.i][1] in ("+", "-"):
            value = value + self.term() if self.take()[1] == "+" else value - self.term()
        return value

    def term(self):
        value = self.factor()
        while self.toks[self.i][1] in ("*", "/"):
            value = value * self.factor() if self.take()[1] == "*" else value / self.factor()
        return value

    def factor(self):
        kind, val = self.take()
        if kind == "num" or val == "-":
            return (float(val) if "." in val else int(val)) if kind == "num" else -self.factor()
        if val == "(":
            v = self.expr()
            if self.take()[1] != ")":
                raise SyntaxError("expected ')'")
            return v
        if kind == "name":
            if val not in self.vars:
                raise NameError(f"undefined variable {val}")
            return self.vars[val]
        raise SyntaxError(f"unexpected token {val!r}")

def main():
    print(tokenize("x = 3.5 * (y + 2)"))
    interp = Interpreter()
    for line in ["x = 4", "y = x * 2 + 1", "(x + y) * 2", "r = 2", "pi * r * r",
                 "z + 1", "3 $ 4", "-x / 8", "(1 + 2", "2 * -(y - 10)", "* 3"]:
        try:
            print(f"{line:<16} => {interp.run(line)}")
        except (NameError, SyntaxError) as e:
            print(f"{line:<16} => {type(e).__name__}: {e}")
    print("variables:", dict(sorted(interp.vars.items())))

if __name__ == "__main__":
    main()
