#!/usr/bin/env python3
"""Checks an AWS SAM template for what Lambda needs to run a zerostart bootstrap.

Usage: check_template.py TEMPLATE.yaml   (exit 0: fine; 1: problems, one per line on stderr;
                                          77: python3-yaml is missing)

Structural checks only, offline: no AWS call, no cfn-lint. For every AWS::Serverless::Function:
Runtime provided.al2023, Handler bootstrap and a CodeUri (an image function, PackageType Image:
none of them, and an ImageUri or Metadata's DockerContext and Dockerfile), Architectures of one value from
{x86_64, arm64} (or a parameter whose AllowedValues are exactly those), MemorySize within
128-10240 MB and Timeout within 1-900 s (literals, or Number parameters bounded by MinValue and
MaxValue within those ranges), a FunctionUrlConfig with an AuthType of AWS_IAM or NONE. Template
wide: the SAM transform; parameter defaults within their own constraints; every Ref, GetAtt and
Sub variable names a parameter, a resource (or one SAM generates: <Function>Url, <Function>Role),
or a pseudo parameter; an output holding the Function URL.
"""
import re
import sys

try:
    import yaml
except ImportError:
    print("check_template: python3-yaml is missing (scripts/install-deps.sh installs it)", file=sys.stderr)
    sys.exit(77)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
ARCHITECTURES = {"x86_64", "arm64"}
URL_AUTH_TYPES = {"AWS_IAM", "NONE"}
MEMORY_MB = (128, 10240)
TIMEOUT_S = (1, 900)
PSEUDO_PARAMETERS = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                     "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}


class Intrinsic:
    """A CloudFormation short-form tag (!Ref X, !GetAtt A.B, !Sub ...): name without "Fn::"."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __repr__(self):
        return f"!{self.name} {self.value!r}"


class TemplateLoader(yaml.SafeLoader):
    pass


def _construct_intrinsic(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Intrinsic(tag_suffix, value)


TemplateLoader.add_multi_constructor("!", _construct_intrinsic)


def _intrinsic(value):
    """(name, argument) of an intrinsic in either form ({"Ref": x}, {"Fn::GetAtt": y}, !Sub z)."""
    if isinstance(value, Intrinsic):
        return value.name, value.value
    if isinstance(value, dict) and len(value) == 1:
        (key, argument), = value.items()
        if key == "Ref":
            return "Ref", argument
        if isinstance(key, str) and key.startswith("Fn::"):
            return key[4:], argument
    return None, None


def _walk(value):
    yield value
    if isinstance(value, Intrinsic):
        yield from _walk(value.value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


class Checker:
    def __init__(self, template):
        self.template = template
        self.problems = []
        self.parameters = template.get("Parameters") or {}
        self.resources = template.get("Resources") or {}

    def fail(self, message):
        self.problems.append(message)

    def run(self):
        transform = self.template.get("Transform")
        transforms = transform if isinstance(transform, list) else [transform]
        if SAM_TRANSFORM not in transforms:
            self.fail(f"Transform must include {SAM_TRANSFORM} (found {transform!r})")
        if not isinstance(self.parameters, dict) or not isinstance(self.resources, dict):
            self.fail("Parameters and Resources must be mappings")
            return self.problems
        for name, parameter in self.parameters.items():
            self.check_parameter_default(name, parameter)
        functions = {name: resource for name, resource in self.resources.items()
                     if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function"}
        if not functions:
            self.fail("no AWS::Serverless::Function resource")
        for name, resource in functions.items():
            self.check_function(name, resource.get("Properties") or {}, resource.get("Metadata") or {})
        self.check_references(functions)
        self.check_url_output(functions)
        return self.problems

    # -- parameters --------------------------------------------------------------------------
    def parameter_of(self, value):
        """The parameter a `!Ref` value names, else None."""
        name, argument = _intrinsic(value)
        if name == "Ref" and isinstance(argument, str) and argument in self.parameters:
            return argument, self.parameters[argument] or {}
        return None

    def check_parameter_default(self, name, parameter):
        if not isinstance(parameter, dict) or "Type" not in parameter:
            self.fail(f"parameter {name}: needs a Type")
            return
        if "Default" not in parameter:
            return
        default = parameter["Default"]
        allowed = parameter.get("AllowedValues")
        if allowed is not None and default not in allowed:
            self.fail(f"parameter {name}: Default {default!r} is not in AllowedValues {allowed!r}")
        if parameter["Type"] == "Number":
            if not isinstance(default, (int, float)) or isinstance(default, bool):
                self.fail(f"parameter {name}: Number parameter with a non-numeric Default {default!r}")
                return
            if "MinValue" in parameter and default < parameter["MinValue"]:
                self.fail(f"parameter {name}: Default {default} < MinValue {parameter['MinValue']}")
            if "MaxValue" in parameter and default > parameter["MaxValue"]:
                self.fail(f"parameter {name}: Default {default} > MaxValue {parameter['MaxValue']}")

    # -- functions ---------------------------------------------------------------------------
    def check_function(self, name, properties, metadata):
        where = f"{name}"
        if properties.get("PackageType") == "Image":
            self.check_image_function(where, properties, metadata)
        else:
            self.check_zip_function(where, properties)
        self.check_architectures(where, properties.get("Architectures"))
        self.check_range(where, "MemorySize", properties.get("MemorySize"), MEMORY_MB)
        self.check_range(where, "Timeout", properties.get("Timeout"), TIMEOUT_S)
        url = properties.get("FunctionUrlConfig")
        if not isinstance(url, dict):
            self.fail(f"{where}: FunctionUrlConfig is missing")
        else:
            self.check_choice(where, "FunctionUrlConfig.AuthType", url.get("AuthType"), URL_AUTH_TYPES,
                              exact=False)

    def check_image_function(self, where, properties, metadata):
        """An image (a Java function through the bridge): what `sam build` builds it from."""
        for field in ("Runtime", "Handler", "CodeUri"):
            if field in properties:
                self.fail(f"{where}: an image function takes no {field} (the image holds the code)")
        if "ImageUri" in properties:
            return
        for field in ("DockerContext", "Dockerfile"):
            value = metadata.get(field)
            if not isinstance(value, str) or not value.strip():
                self.fail(f"{where}: Metadata.{field} is missing (what `sam build` builds the image from)")

    def check_zip_function(self, where, properties):
        if properties.get("Runtime") != "provided.al2023":
            self.fail(f"{where}: Runtime must be provided.al2023 (found {properties.get('Runtime')!r})")
        if properties.get("Handler") != "bootstrap":
            self.fail(f"{where}: Handler must be bootstrap (found {properties.get('Handler')!r})")
        code_uri = properties.get("CodeUri")
        if code_uri is None or (isinstance(code_uri, str) and not code_uri.strip()):
            self.fail(f"{where}: CodeUri is missing (the zip from `zerostart package`)")
        elif isinstance(code_uri, str) and not (code_uri.endswith(".zip") or code_uri.startswith("s3://")):
            self.fail(f"{where}: CodeUri {code_uri!r} should be the package zip (or an s3:// URI)")

    def check_architectures(self, where, value):
        if not isinstance(value, list) or len(value) != 1:
            self.fail(f"{where}: Architectures must be a list of one value (found {value!r})")
            return
        self.check_choice(where, "Architectures", value[0], ARCHITECTURES, exact=True)

    def check_choice(self, where, field, value, choices, exact):
        """A literal in `choices`, or a Ref to a parameter whose AllowedValues are `choices`
        (exactly, or a non-empty subset when not `exact`)."""
        parameter = self.parameter_of(value)
        if parameter is None:
            if value not in choices:
                self.fail(f"{where}: {field} {value!r} is not one of {sorted(choices)}")
            return
        parameter_name, spec = parameter
        allowed = spec.get("AllowedValues")
        if not isinstance(allowed, list) or not allowed:
            self.fail(f"{where}: {field} parameter {parameter_name} needs AllowedValues {sorted(choices)}")
        elif exact and set(allowed) != choices:
            self.fail(f"{where}: {field} parameter {parameter_name} AllowedValues {allowed!r} "
                      f"must be exactly {sorted(choices)}")
        elif not set(allowed) <= choices:
            self.fail(f"{where}: {field} parameter {parameter_name} allows {allowed!r}, "
                      f"outside {sorted(choices)}")

    def check_range(self, where, field, value, bounds):
        low, high = bounds
        if value is None:
            self.fail(f"{where}: {field} is missing")
            return
        parameter = self.parameter_of(value)
        if parameter is None:
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                self.fail(f"{where}: {field} {value!r} is not an integer within {low}-{high}")
            return
        parameter_name, spec = parameter
        if spec.get("Type") != "Number":
            self.fail(f"{where}: {field} parameter {parameter_name} must be a Number")
        minimum, maximum = spec.get("MinValue"), spec.get("MaxValue")
        if minimum is None or maximum is None:
            self.fail(f"{where}: {field} parameter {parameter_name} needs MinValue and MaxValue "
                      f"within {low}-{high}")
        elif not (low <= minimum <= maximum <= high):
            self.fail(f"{where}: {field} parameter {parameter_name} allows {minimum}-{maximum}, "
                      f"outside {low}-{high}")

    # -- references --------------------------------------------------------------------------
    def generated_resources(self, functions):
        """Logical ids SAM adds for a function: <Function>Url with FunctionUrlConfig, and
        <Function>Role when the function names no Role."""
        generated = set()
        for name, resource in functions.items():
            properties = resource.get("Properties") or {}
            if "FunctionUrlConfig" in properties:
                generated.add(f"{name}Url")
            if "Role" not in properties:
                generated.add(f"{name}Role")
        return generated

    def check_references(self, functions):
        resources = set(self.resources) | self.generated_resources(functions)
        known = set(self.parameters) | resources | PSEUDO_PARAMETERS
        sections = {key: self.template.get(key) for key in ("Resources", "Outputs", "Conditions")}
        for section, body in sections.items():
            for value in _walk(body):
                name, argument = _intrinsic(value)
                if name == "Ref":
                    if not isinstance(argument, str) or argument not in known:
                        self.fail(f"{section}: Ref {argument!r} names no parameter or resource")
                elif name == "GetAtt":
                    target = argument[0] if isinstance(argument, list) else str(argument).split(".", 1)[0]
                    if target not in resources:
                        self.fail(f"{section}: GetAtt {argument!r} names no resource")
                elif name == "Sub":
                    text = argument[0] if isinstance(argument, list) else argument
                    local = set(argument[1]) if isinstance(argument, list) and len(argument) > 1 else set()
                    for variable in re.findall(r"\$\{([^!}][^}]*)\}", str(text)):
                        base = variable.split(".", 1)[0]
                        if variable not in known and base not in resources and variable not in local:
                            self.fail(f"{section}: Sub variable ${{{variable}}} names nothing")

    def check_url_output(self, functions):
        urls = {f"{name}Url" for name, resource in functions.items()
                if "FunctionUrlConfig" in (resource.get("Properties") or {})}
        for output in (self.template.get("Outputs") or {}).values():
            for value in _walk(output):
                name, argument = _intrinsic(value)
                if name == "GetAtt":
                    target = argument if isinstance(argument, list) else str(argument).split(".", 1)
                    if target[0] in urls and len(target) > 1 and target[1] == "FunctionUrl":
                        return
        if urls:
            self.fail("Outputs: no output gives the Function URL (!GetAtt <Function>Url.FunctionUrl)")


def check_text(text):
    """The problems of a template given as YAML text (empty: it passes)."""
    try:
        template = yaml.load(text, Loader=TemplateLoader)
    except yaml.YAMLError as error:
        return [f"not valid YAML: {error}"]
    if not isinstance(template, dict):
        return ["the template is not a mapping"]
    return Checker(template).run()


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as file:
        problems = check_text(file.read())
    for problem in problems:
        print(f"{argv[1]}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{argv[1]}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
