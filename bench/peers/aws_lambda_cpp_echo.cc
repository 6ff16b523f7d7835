// The aws-lambda-cpp peer: AWS's own C++ Lambda runtime (awslabs/aws-lambda-cpp, over libcurl)
// running the same trivial echo handler as functions/echo. Built only by
// build_aws_lambda_cpp_echo.sh, from the sources that npm's aws-lambda-ric bundles; not part of
// the CMake build.
#include <aws/lambda-runtime/runtime.h>

using aws::lambda_runtime::invocation_request;
using aws::lambda_runtime::invocation_response;

static invocation_response Echo(const invocation_request& request) {
  return invocation_response::success(request.payload, "application/json");
}

int main() {
  aws::lambda_runtime::run_handler(Echo);
  return 0;
}
