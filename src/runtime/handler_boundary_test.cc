#include "src/runtime/handler_boundary.h"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

namespace zerostart::runtime {
namespace {

struct CustomError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NotAnException {};

Response Call(const Handler& handler) { return CallHandler(handler, Invocation{}); }

TEST(HandlerBoundaryTest, SuccessPassesThrough) {
  Response r = Call([](const Invocation&) { return Response::Success("p", "text/plain"); });
  ASSERT_FALSE(r.is_error());
  EXPECT_EQ(r.payload(), "p");
  EXPECT_EQ(r.content_type(), "text/plain");
}

TEST(HandlerBoundaryTest, StdExceptionBecomesItsDemangledTypeAndWhat) {
  Response r = Call([](const Invocation&) -> Response { throw std::runtime_error("boom ü"); });
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "std::runtime_error");
  EXPECT_EQ(r.error().message, "boom ü");
  EXPECT_TRUE(r.error().stack_trace.empty());

  r = Call([](const Invocation&) -> Response { throw std::out_of_range("k"); });
  EXPECT_EQ(r.error().type, "std::out_of_range");
}

TEST(HandlerBoundaryTest, DynamicTypeOfCustomException) {
  Response r = Call([](const Invocation&) -> Response { throw CustomError("mine"); });
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "zerostart::runtime::(anonymous namespace)::CustomError");
  EXPECT_EQ(r.error().message, "mine");
}

TEST(HandlerBoundaryTest, NonStdThrowsAreUnknownException) {
  Response r = Call([](const Invocation&) -> Response { throw 42; });
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "UnknownException");
  EXPECT_EQ(r.error().message, "int thrown");

  r = Call([](const Invocation&) -> Response { throw NotAnException{}; });
  EXPECT_EQ(r.error().type, "UnknownException");
  EXPECT_NE(r.error().message.find("NotAnException"), std::string::npos);
}

TEST(HandlerBoundaryTest, FailureWithEmptyTypeIsUnhandled) {
  Response r = Call([](const Invocation&) { return Response::Failure("", "m"); });
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "Unhandled");
  EXPECT_EQ(r.error().message, "m");
  r = Call([](const Invocation&) { return Response::Failure("MyError", "m"); });
  EXPECT_EQ(r.error().type, "MyError");
}

TEST(HandlerBoundaryTest, EmptyHandlerIsAnErrorNotACrash) {
  Response r = Call(Handler{});
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().type, "std::bad_function_call");
}

TEST(HandlerBoundaryTest, InitOutcomes) {
  FunctionError error;
  EXPECT_TRUE(CallInit(InitFunction{}, &error));
  EXPECT_TRUE(CallInit([] { return OkStatus(); }, &error));
  EXPECT_FALSE(CallInit([] { return InternalError("no config ü"); }, &error));
  EXPECT_EQ(error.type, "Runtime.InitError");
  EXPECT_EQ(error.message, "no config ü");
  EXPECT_FALSE(CallInit([]() -> Status { throw std::bad_alloc(); }, &error));
  EXPECT_EQ(error.type, "std::bad_alloc");
}

TEST(HandlerBoundaryTest, DemangledTypeName) {
  EXPECT_EQ(DemangledTypeName(typeid(std::logic_error)), "std::logic_error");
  EXPECT_EQ(DemangledTypeName(typeid(int)), "int");
}

}  // namespace
}  // namespace zerostart::runtime
