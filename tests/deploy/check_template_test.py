#!/usr/bin/env python3
"""Checks the checker: deploy/template.yaml passes, and each deliberately broken copy of it
fails with the expected problem. Usage: check_template_test.py TEMPLATE.yaml (exit 0: all
good; 1: a broken copy passed or the real one failed; 77: python3-yaml is missing)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_template  # noqa: E402  (exits 77 itself when python3-yaml is missing)

# (what the copy breaks, text replaced, replacement, a phrase the problem must contain)
BREAKAGES = [
    ("runtime", "Runtime: provided.al2023", "Runtime: provided.al2", "Runtime must be provided.al2023"),
    ("handler", "Handler: bootstrap", "Handler: main", "Handler must be bootstrap"),
    ("no CodeUri", "      CodeUri: ../build/kmeans.zip", "      # no code", "CodeUri is missing"),
    ("CodeUri a folder", "CodeUri: ../build/kmeans.zip", "CodeUri: ../build/", "should be the package zip"),
    ("architecture not allowed", "AllowedValues: [x86_64, arm64]", "AllowedValues: [x86_64, arm64, mips]",
     "must be exactly"),
    ("architecture literal", "        - !Ref Architecture", "        - aarch64", "is not one of"),
    ("memory above Lambda's", "MaxValue: 10240", "MaxValue: 20480", "outside 128-10240"),
    ("memory unbounded", "    MinValue: 128\n    MaxValue: 10240\n", "", "needs MinValue and MaxValue"),
    ("memory literal", "MemorySize: !Ref MemorySize", "MemorySize: 64", "not an integer within 128-10240"),
    ("timeout above 15 min", "MaxValue: 900", "MaxValue: 901", "outside 1-900"),
    ("default outside range", "Default: 30", "Default: 1000", "Default 1000 > MaxValue 900"),
    ("no function URL", "      FunctionUrlConfig:\n        AuthType: !Ref FunctionUrlAuthType\n", "",
     "FunctionUrlConfig is missing"),
    ("bad URL auth", "AllowedValues: [AWS_IAM, NONE]", "AllowedValues: [AWS_IAM, OPEN]", "outside"),
    ("dangling Ref", "- !Ref Architecture", "- !Ref Architectures", "names no parameter or resource"),
    ("dangling GetAtt", "!GetAtt KmeansFunction.Arn", "!GetAtt KmeansFn.Arn", "GetAtt"),
    ("no URL output", "!GetAtt KmeansFunctionUrl.FunctionUrl", "!Ref KmeansFunction", "gives the Function URL"),
    ("no SAM transform", "Transform: AWS::Serverless-2016-10-31", "Transform: AWS::LanguageExtensions",
     "Transform must include"),
    ("broken YAML", "Resources:\n", "Resources:\n  - [\n", "not valid YAML"),
]


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as file:
        text = file.read()
    failures = []
    problems = check_template.check_text(text)
    if problems:
        failures.append(f"the real template fails: {problems}")
    for label, old, new, expected in BREAKAGES:
        if old not in text:
            failures.append(f"{label}: the template no longer contains {old!r}; update this test")
            continue
        problems = check_template.check_text(text.replace(old, new, 1))
        if not any(expected in problem for problem in problems):
            failures.append(f"{label}: expected a problem containing {expected!r}, got {problems}")
        else:
            print(f"broken copy rejected ({label}): {problems[0]}")
    for failure in failures:
        print(f"check_template_test: {failure}", file=sys.stderr)
    print(f"check_template_test: {len(BREAKAGES)} broken copies, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
