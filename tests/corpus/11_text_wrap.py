"""Text wrapping and justification with textwrap and a hand-rolled justifier."""
import textwrap

PARAGRAPH = ("Python is a high-level, general-purpose programming language. Its design "
             "philosophy emphasizes code readability with the use of significant "
             "indentation. Python is dynamically typed and garbage-collected.")


def justify(text, width):
    words = text.split()
    lines, current = [], []
    for w in words:
        if current and len(" ".join(current + [w])) > width:
            lines.append(current)
            current = []
        current.append(w)
    out = []
    for line in lines:
        gaps = len(line) - 1
        if gaps == 0:
            out.append(line[0].ljust(width))
            continue
        spaces = width - sum(len(w) for w in line)
        q, r = divmod(spaces, gaps)
        s = ""
        for i, w in enumerate(line[:-1]):
            s += w + " " * (q + (1 if i < r else 0))
        out.append(s + line[-1])
    out.append(" ".join(current).ljust(width))
    return out


def main():
    print("== wrap 40 ==")
    for line in textwrap.wrap(PARAGRAPH, width=40):
        print(f"|{line:<40}|")
    print("== fill 30 with indent ==")
    print(textwrap.fill(PARAGRAPH, width=30, initial_indent="* ", subsequent_indent="  "))
    print("== shorten ==")
    print(textwrap.shorten(PARAGRAPH, width=50, placeholder=" [...]"))
    print("== dedent/indent ==")
    block = """
        def hello():
            return 42
    """
    ded = textwrap.dedent(block).strip("\n")
    print(ded)
    print(textwrap.indent(ded, ">> "))
    print("== justified 36 ==")
    for line in justify(PARAGRAPH, 36):
        print(f"[{line}]")


if __name__ == "__main__":
    main()
