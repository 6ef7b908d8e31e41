"""Expression evaluator: tokenizer + shunting-yard to RPN + stack evaluation."""
import re

PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "^": 3}
RIGHT_ASSOC = {"^"}

def tokenize(expr):
    tokens = re.findall(r"\d+\.\d+|\d+|[-+*/%^()]", expr.replace(" ", ""))
    out = []
    for i, t in enumerate(tokens):
        if t == "-" and (i == 0 or tokens[i - 1] in PREC or tokens[i - 1] == "("):
            out.append("neg")
        else:
            out.append(t)
    return out

def to_rpn(tokens):
    output, stack = [], []
    for t in tokens:
        if t[0].isdigit():
            output.append(t)
        elif t == "neg":
            stack.append(t)
        elif t in PREC:
            while stack and stack[-1] != "(" and (stack[-1] == "neg" or PREC[stack[-1]] > PREC[t]
                                                  or (PREC[stack[-1]] == PREC[t] and t not in RIGHT_ASSOC)):
                output.append(stack.pop())
            stack.append(t)
        elif t == "(":
            stack.append(t)
        elif t == ")":
            while stack and stack[-1] != "(":
                output.append(stack.pop())
            if not stack:
                raise SyntaxError("mismatched parentheses")
            stack.pop()
    while stack:
        if stack[-1] == "(":
            raise SyntaxError("mismatched parentheses")
        output.append(stack.pop())
    return output

def eval_rpn(rpn):
    stack = []
    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
           "/": lambda a, b: a / b, "%": lambda a, b: a % b, "^": lambda a, b: a ** b}
    for t in rpn:
        if t == "neg":
            stack.append(-stack.pop())
        elif t in ops:
            b, a = stack.pop(), stack.pop()
            stack.append(ops[t](a, b))
        else:
            stack.append(float(t) if "." in t else int(t))
    return stack[0]

def main():
    for expr in ["1 + 2 * 3", "(1 + 2) * 3", "2 ^ 3 ^ 2", "10 / 4", "-(3 + 4) * 2",
                 "7 % 3 + 2.5", "((2))", "3 - -2", "2 * (3 + (4 - 1)) ^ 2", "1 / 0", "(1 + 2"]:
        try:
            rpn = to_rpn(tokenize(expr))
            print(f"{expr:<24} RPN: {' '.join(rpn):<26} = {eval_rpn(rpn)}")
        except (SyntaxError, ZeroDivisionError) as e:
            print(f"{expr:<24} error: {type(e).__name__}")

if __name__ == "__main__":
    main()
