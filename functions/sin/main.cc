// The sin Lambda function: a chain of dependent sin calls (sin_function.h).
#include "functions/sin/sin_function.h"
#include "zerostart/runtime.h"

int main() {
  return zerostart::Run([](const zerostart::Invocation& invocation) {
    return zerostart::functions::HandleSin(invocation.payload);
  });
}
