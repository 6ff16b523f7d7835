// FunctionSource: what a user names as a function to measure — an executable bootstrap, or a
// Lambda zip (as `zerostart package` writes it) unpacked into a private temporary task root for
// the length of the run — and the architecture its ELF says it is built for.
// Thread safety: a FunctionSource is used by one thread; Open may run concurrently.
#ifndef ZEROSTART_SRC_BENCHMARK_FUNCTION_SOURCE_H_
#define ZEROSTART_SRC_BENCHMARK_FUNCTION_SOURCE_H_

#include <optional>
#include <string>

#include "src/package/zip_reader.h"
#include "zerostart/status.h"

namespace zerostart::benchmark {

class FunctionSource {
 public:
  // `path` names an executable or a zip; a zip is unpacked under `temp_parent` (removed when
  // the FunctionSource goes away). Errors, each saying what to do: NotFound (no such file),
  // InvalidArgument (a folder; a file that is neither an executable nor a Lambda zip; a zip
  // without an executable `bootstrap` at its root or with entries escaping it).
  static Result<FunctionSource> Open(const std::string& path, const std::string& temp_parent);

  FunctionSource(FunctionSource&&) = default;
  FunctionSource& operator=(FunctionSource&&) = default;

  const std::string& source() const { return source_; }        // as given
  const std::string& bootstrap() const { return bootstrap_; }  // what runs
  bool from_zip() const { return unpacked_.has_value(); }
  // "x86_64" or "arm64" when the bootstrap is an ELF for one of them; "" otherwise (a script).
  const std::string& arch() const { return arch_; }

 private:
  FunctionSource() = default;

  std::string source_;
  std::string bootstrap_;
  std::string arch_;
  std::optional<package::UnpackedZip> unpacked_;
};

}  // namespace zerostart::benchmark

#endif  // ZEROSTART_SRC_BENCHMARK_FUNCTION_SOURCE_H_
