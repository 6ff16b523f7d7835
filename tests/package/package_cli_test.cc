// `zerostart package` end to end: the built CLI on the built echo and kmeans, the zips read by
// tools we did not write (zipinfo, `unzip -t`, python3's zipfile), reproducibility across runs
// and time zones, and every refused input: exit status != 0, a clear message on stderr, and
// nothing at the output path or beside it (no temporary file).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/package/package_test_support.h"

namespace zerostart {
namespace {

using ::testing::HasSubstr;
using testing::Finished;
using testing::Package;
using testing::TempDir;

// The zip as python3's zipfile sees it: [{name, size, compress_type, mode, system, date, extra}].
nlohmann::json PythonView(const std::string& zip) {
  const char* script =
      "import json, sys, zipfile\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "assert z.testzip() is None\n"
      "print(json.dumps([{'name': i.filename, 'size': i.file_size, 'compress_type': i.compress_type,\n"
      "  'mode': i.external_attr >> 16, 'system': i.create_system, 'date': list(i.date_time),\n"
      "  'extra': len(i.extra), 'comment': len(i.comment)} for i in z.infolist()]))\n";
  Finished done = testing::RunIn("/", {"python3", "-c", script, zip});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  return nlohmann::json::parse(done.out, nullptr, false);
}

off_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

TEST(PackageCliTest, EchoPackageIsABootstrapThatLambdaCanExecute) {
  TempDir dir;
  Finished done = Package(dir.path(), {testing::EchoBin()});  // default output: echo.zip here
  ASSERT_EQ(done.exit_code, 0) << done.err;
  std::string zip = dir / "echo.zip";
  off_t binary_size = FileSize(testing::EchoBin());
  EXPECT_THAT(done.out, HasSubstr("wrote echo.zip"));
  EXPECT_THAT(done.out, HasSubstr("architecture  x86_64 (static ELF)"));
  EXPECT_THAT(done.out, HasSubstr("bootstrap     " + std::to_string(binary_size) + " bytes"));
  EXPECT_THAT(done.out, HasSubstr("package       " + std::to_string(FileSize(zip)) + " bytes zipped"));
  EXPECT_EQ(done.err, "");  // static: no warning
  EXPECT_LE(FileSize(zip), 1500000) << "echo must be <= 1.5 MB zipped";
  EXPECT_EQ(dir.List(), std::vector<std::string>{"echo.zip"});
  std::printf("echo: bootstrap %lld bytes, package %lld bytes\n", static_cast<long long>(binary_size),
              static_cast<long long>(FileSize(zip)));

  if (!testing::HaveTool("zipinfo")) GTEST_SKIP() << "zipinfo (Debian unzip) is not installed";
  Finished info = testing::RunIn(dir.path(), {"zipinfo", "echo.zip"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  // e.g. "-rwxr-xr-x  6.3 unx  1486216 b- defX 80-Jan-01 00:00 bootstrap" (defX: level 9)
  EXPECT_THAT(info.out, ::testing::ContainsRegex("-rwxr-xr-x +[0-9.]+ unx +" + std::to_string(binary_size) +
                                                  " .* def[NXFS] 80-Jan-01 00:00 bootstrap"));
  EXPECT_THAT(info.out, HasSubstr("1 file,"));
  Finished test = testing::RunIn(dir.path(), {"unzip", "-tq", "echo.zip"});
  EXPECT_EQ(test.exit_code, 0) << test.out << test.err;
}

TEST(PackageCliTest, PythonZipfileSeesUnixModeFixedTimeNoExtraFields) {
  if (!testing::HaveTool("python3")) GTEST_SKIP() << "python3 is not installed";
  TempDir dir;
  ::mkdir((dir / "conf").c_str(), 0755);
  testing::WriteWholeFile(dir / "conf/app.json", "{\"k\":3}");
  testing::WriteWholeFile(dir / "run.sh", "#!/bin/sh\n");
  ::chmod((dir / "run.sh").c_str(), 0755);
  Finished done = Package(dir.path(), {"-o", "k.zip", testing::KmeansBin(), "--include", "conf", "run.sh"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("included      2 files"));
  std::printf("kmeans: bootstrap %lld bytes, package (+2 small files) %lld bytes\n",
              static_cast<long long>(FileSize(testing::KmeansBin())), static_cast<long long>(FileSize(dir / "k.zip")));
  nlohmann::json entries = PythonView(dir / "k.zip");
  ASSERT_TRUE(entries.is_array()) << entries;
  std::vector<std::string> names;
  for (const auto& e : entries) {
    names.push_back(e["name"]);
    EXPECT_EQ(e["system"], 3) << e;  // Unix
    EXPECT_EQ(e["date"], nlohmann::json::parse("[1980,1,1,0,0,0]")) << e;
    EXPECT_EQ(e["extra"], 0) << e;
    EXPECT_EQ(e["comment"], 0) << e;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bootstrap", "conf/", "conf/app.json", "run.sh"}));
  EXPECT_EQ(entries[0]["mode"], 0100755) << entries[0];
  EXPECT_EQ(entries[0]["size"], FileSize(testing::KmeansBin()));
  EXPECT_EQ(entries[0]["compress_type"], 8);  // deflate
  EXPECT_EQ(entries[1]["mode"], 040755);
  EXPECT_EQ(entries[2]["mode"], 0100644);
  EXPECT_EQ(entries[3]["mode"], 0100755);
}

TEST(PackageCliTest, AnExtensionBecomesALayerWithTheStaticBinaryAtExtensionsSlashName) {
  if (!testing::HaveTool("python3")) GTEST_SKIP() << "python3 is not installed";
  TempDir dir;
  std::string binary = testing::BinPath("invoke-log");
  Finished done = Package(dir.path(), {"--extension", binary});  // default: invoke-log-layer.zip
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("wrote invoke-log-layer.zip"));
  EXPECT_THAT(done.out, HasSubstr("architecture  x86_64 (static ELF)"));
  EXPECT_THAT(done.out, HasSubstr("extension     " + std::to_string(FileSize(binary)) + " bytes (" + binary +
                                  " as extensions/invoke-log)"));
  EXPECT_EQ(done.err, "");
  nlohmann::json entries = PythonView(dir / "invoke-log-layer.zip");
  ASSERT_TRUE(entries.is_array() && entries.size() == 2) << entries;
  EXPECT_EQ(entries[0]["name"], "extensions/");
  EXPECT_EQ(entries[0]["mode"], 040755);
  EXPECT_EQ(entries[1]["name"], "extensions/invoke-log");
  EXPECT_EQ(entries[1]["mode"], 0100755);
  EXPECT_EQ(entries[1]["size"], FileSize(binary));
  // The entry is the binary itself, unchanged.
  if (!testing::HaveTool("unzip")) GTEST_SKIP() << "unzip is not installed";
  Finished unzipped = testing::RunIn(dir.path(), {"unzip", "-q", "invoke-log-layer.zip", "-d", "opt"});
  ASSERT_EQ(unzipped.exit_code, 0) << unzipped.err;
  EXPECT_TRUE(testing::ReadWholeFile(dir / "opt/extensions/invoke-log") == testing::ReadWholeFile(binary));
  struct stat st;
  ASSERT_EQ(::stat((dir / "opt/extensions/invoke-log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
}

TEST(PackageCliTest, TheSameInputGivesTheSameBytes) {
  TempDir dir;
  ::mkdir((dir / "conf").c_str(), 0755);
  testing::WriteWholeFile(dir / "conf/a", "a");
  ASSERT_EQ(Package(dir.path(), {"-o", "a.zip", testing::EchoBin(), "--include", "conf"}).exit_code, 0);
  ::utimensat(AT_FDCWD, (dir / "conf/a").c_str(), nullptr, 0);  // a newer mtime must not matter
  ASSERT_EQ(Package(dir.path(), {"-o", "b.zip", testing::EchoBin(), "--include", "conf"}, {"TZ=Asia/Kolkata"})
                .exit_code,
            0);
  ASSERT_EQ(Package(dir.path(), {"-o", "c.zip", testing::EchoBin(), "--include", "conf"}, {"TZ=America/New_York"})
                .exit_code,
            0);
  std::string a = testing::ReadWholeFile(dir / "a.zip");
  EXPECT_GT(a.size(), 0u);
  EXPECT_TRUE(a == testing::ReadWholeFile(dir / "b.zip"));
  EXPECT_TRUE(a == testing::ReadWholeFile(dir / "c.zip"));
}

TEST(PackageCliTest, ArchitectureIsReportedAndChecked) {
  TempDir dir;
  Finished arm = Package(dir.path(), {testing::CorpusPath("static_arm64")});
  ASSERT_EQ(arm.exit_code, 0) << arm.err;
  EXPECT_THAT(arm.out, HasSubstr("architecture  arm64 (static ELF)"));
  Finished explicit_arm = Package(dir.path(), {"--arch", "arm64", "-o", "b.zip", testing::CorpusPath("static_arm64")});
  EXPECT_EQ(explicit_arm.exit_code, 0) << explicit_arm.err;
  Finished bad_flag = Package(dir.path(), {"--arch", "sparc", "-o", "c.zip", testing::EchoBin()});
  EXPECT_NE(bad_flag.exit_code, 0);
  EXPECT_THAT(bad_flag.err, HasSubstr("--arch"));
  EXPECT_EQ(dir.List(), (std::vector<std::string>{"b.zip", "static_arm64.zip"}));
}

TEST(PackageCliTest, DynamicBinaryWithinGlibc234IsAcceptedWithAWarning) {
  TempDir dir;
  Finished done = Package(dir.path(), {"-o", "d.zip", testing::CorpusPath("dynamic_glibc234_x86_64")});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.err, HasSubstr("warning: dynamically linked"));
  EXPECT_THAT(done.out, HasSubstr("dynamic ELF, GLIBC_2.34"));
}

struct BadCase {
  std::string what;
  std::vector<std::string> args;  // after `zerostart package -o out.zip` unless they hold -o
  std::string message;
};

TEST(PackageCliTest, BadInputIsRefusedAndLeavesNoFile) {
  TempDir dir;
  std::string inputs = dir / "inputs";
  std::string out = dir / "out";
  ::mkdir(inputs.c_str(), 0755);
  ::mkdir(out.c_str(), 0755);
  testing::WriteWholeFile(inputs + "/script.sh", "#!/bin/sh\necho hello\n");
  testing::WriteWholeFile(inputs + "/notes.txt", "just text");
  std::string echo = testing::ReadWholeFile(testing::EchoBin());
  std::string elf32 = echo, big = echo;
  elf32[4] = 1;  // EI_CLASS = ELFCLASS32
  big[5] = 2;    // EI_DATA = ELFDATA2MSB
  testing::WriteWholeFile(inputs + "/echo32", elf32);
  testing::WriteWholeFile(inputs + "/echo_be", big);
  testing::WriteWholeFile(out + "/secret", "x");  // for the escape cases, from `inputs`
  ::symlink("../out/secret", (inputs + "/link_out").c_str());
  const std::string zip = out + "/fn.zip";
  std::vector<BadCase> cases = {
      {"missing binary", {"-o", zip, inputs + "/nope"}, "No such file or directory"},
      {"directory", {"-o", zip, inputs}, "is a directory"},
      {"script", {"-o", zip, inputs + "/script.sh"}, "a script (starts with #!), not an ELF binary"},
      {"text", {"-o", zip, inputs + "/notes.txt"}, "not an ELF binary"},
      {"32-bit", {"-o", zip, inputs + "/echo32"}, "a 32-bit ELF"},
      {"big-endian", {"-o", zip, inputs + "/echo_be"}, "a big-endian ELF"},
      {"glibc 2.36", {"-o", zip, testing::CorpusPath("dynamic_glibc236_x86_64")},
       "dynamically linked and needs GLIBC_2.36, newer than provided.al2023's glibc 2.34"},
      {"arm64 as x86_64", {"--arch", "x86_64", "-o", zip, testing::CorpusPath("static_arm64")},
       "an arm64 binary, but --arch is x86_64"},
      {"x86_64 as arm64", {"--arch", "arm64", "-o", zip, testing::EchoBin()}, "an x86_64 binary, but --arch is arm64"},
      {"include ../", {"-o", zip, testing::EchoBin(), "--include", "../out/secret"}, "escapes the package root"},
      {"include absolute", {"-o", zip, testing::EchoBin(), "--include", "/etc/hostname"}, "escapes the package root"},
      {"include symlink out", {"-o", zip, testing::EchoBin(), "--include", "link_out"}, "outside the package root"},
      {"include missing", {"-o", zip, testing::EchoBin(), "--include", "nothing"}, "No such file"},
      {"output in a missing directory", {"-o", out + "/nodir/fn.zip", testing::EchoBin()}, "cannot write"},
      {"output under a file", {"-o", out + "/secret/fn.zip", testing::EchoBin()}, "Not a directory"},
      {"output is a directory", {"-o", out, testing::EchoBin()}, "is a directory"},
      {"output in /proc", {"-o", "/proc/fn.zip", testing::EchoBin()}, "cannot write /proc/fn.zip"},
  };
  std::vector<std::string> inputs_before = [&] {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(inputs)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }();
  for (const BadCase& c : cases) {
    Finished done = Package(inputs, c.args);  // the package root is `inputs`
    EXPECT_NE(done.exit_code, 0) << c.what;
    EXPECT_THAT(done.err, HasSubstr("zerostart package: ")) << c.what;
    EXPECT_THAT(done.err, HasSubstr(c.message)) << c.what;
    EXPECT_EQ(done.out, "") << c.what;
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(out)) names.push_back(e.path().filename());
    EXPECT_EQ(names, std::vector<std::string>{"secret"}) << c.what << ": no zip, no temporary file";
  }
  std::vector<std::string> inputs_after;
  for (const auto& e : std::filesystem::directory_iterator(inputs)) inputs_after.push_back(e.path().filename());
  std::sort(inputs_after.begin(), inputs_after.end());
  EXPECT_EQ(inputs_after, inputs_before);
}

TEST(PackageCliTest, UsageErrors) {
  TempDir dir;
  Finished none = Package(dir.path(), {});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_THAT(none.err, HasSubstr("FUNCTION_BINARY"));
  Finished help = Package(dir.path(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--include"));
  EXPECT_TRUE(dir.List().empty());
}

}  // namespace
}  // namespace zerostart
