// ExtractZip and UnpackedZip on real archives: written by BuildZip, by Debian's `zip`, and byte
// by byte (RawZip below) for what no honest tool writes: '../' names, duplicates, symlinks out,
// bad CRCs (PKWARE APPNOTE 4.3.7 local file header, 4.3.12 central directory header, 4.3.16 end
// of central directory record).
#include "src/package/zip_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>

#include "src/package/elf_test_util.h"
#include "src/package/zip_writer.h"

namespace zerostart::package {
namespace zip_reader_test {

using ::testing::HasSubstr;
using testing::ReadTestFile;
using testing::ScratchDir;
using testing::WriteTestFile;

constexpr uint32_t kFile = 0100000;
constexpr uint32_t kDirectory = 0040000;
constexpr uint32_t kSymlink = 0120000;

struct RawEntry {
  std::string name;
  std::string data;          // a symlink's target
  uint32_t unix_mode = kFile | 0644;  // st_mode; 0: MS-DOS attributes only
  bool bad_crc = false;
};

void PutLe(std::string* out, uint32_t value, int width) {
  for (int i = 0; i < width; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// A zip of stored (uncompressed) entries, exactly as given: any name, order, mode or CRC.
std::string RawZip(const std::vector<RawEntry>& entries) {
  std::string out, central;
  for (const RawEntry& entry : entries) {
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(entry.data.data()), static_cast<uInt>(entry.data.size())));
    if (entry.bad_crc) crc ^= 1;
    uint32_t size = static_cast<uint32_t>(entry.data.size());
    uint32_t name_size = static_cast<uint32_t>(entry.name.size());
    uint32_t offset = static_cast<uint32_t>(out.size());
    bool directory = !entry.name.empty() && entry.name.back() == '/';
    PutLe(&out, 0x04034b50, 4);
    PutLe(&out, 20, 2);      // version needed
    PutLe(&out, 0, 2);       // flags
    PutLe(&out, 0, 2);       // stored
    PutLe(&out, 0, 2);       // time
    PutLe(&out, 0x21, 2);    // date
    PutLe(&out, crc, 4);
    PutLe(&out, size, 4);
    PutLe(&out, size, 4);
    PutLe(&out, name_size, 2);
    PutLe(&out, 0, 2);       // extra
    out += entry.name + entry.data;
    PutLe(&central, 0x02014b50, 4);
    PutLe(&central, (entry.unix_mode == 0 ? 0u : 3u) << 8 | 20, 2);  // made by: MS-DOS or Unix
    PutLe(&central, 20, 2);
    PutLe(&central, 0, 2);
    PutLe(&central, 0, 2);
    PutLe(&central, 0, 2);
    PutLe(&central, 0x21, 2);
    PutLe(&central, crc, 4);
    PutLe(&central, size, 4);
    PutLe(&central, size, 4);
    PutLe(&central, name_size, 2);
    PutLe(&central, 0, 2);   // extra
    PutLe(&central, 0, 2);   // comment
    PutLe(&central, 0, 2);   // disk
    PutLe(&central, 0, 2);   // internal attributes
    PutLe(&central, entry.unix_mode << 16 | (directory ? 0x10 : 0), 4);
    PutLe(&central, offset, 4);
    central += entry.name;
  }
  uint32_t central_at = static_cast<uint32_t>(out.size());
  out += central;
  PutLe(&out, 0x06054b50, 4);
  PutLe(&out, 0, 4);  // disks
  PutLe(&out, static_cast<uint32_t>(entries.size()), 2);
  PutLe(&out, static_cast<uint32_t>(entries.size()), 2);
  PutLe(&out, static_cast<uint32_t>(central.size()), 4);
  PutLe(&out, central_at, 4);
  PutLe(&out, 0, 2);  // comment
  return out;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode;
}

std::string LinkOf(const std::string& path) {
  char target[4096];
  ssize_t n = readlink(path.c_str(), target, sizeof target);
  return n < 0 ? "" : std::string(target, static_cast<size_t>(n));
}

class ZipReaderTest : public ::testing::Test {
 protected:
  ZipReaderTest() { std::filesystem::create_directory(dest()); }

  std::string dest() const { return scratch_ / "dest"; }
  std::string zip_path() const { return scratch_ / "function.zip"; }
  std::string parent() const { return scratch_ / "tmp"; }

  Status ExtractBytes(const std::string& bytes, const ZipLimits& limits = {}) {
    WriteTestFile(zip_path(), bytes);
    return ExtractZip(zip_path(), dest(), limits);
  }
  Status ExtractRaw(const std::vector<RawEntry>& entries) { return ExtractBytes(RawZip(entries)); }
  Status ExtractBuilt(std::vector<ZipEntry> entries, const ZipLimits& limits = {}) {
    Result<std::string> zip = BuildZip(std::move(entries));
    EXPECT_TRUE(zip.ok()) << zip.status().ToString();
    return ExtractBytes(zip.ok() ? *zip : "", limits);
  }
  bool DestIsEmpty() const { return std::filesystem::is_empty(dest()); }

  // A refused archive: kInvalidArgument, the message, and nothing left in dest.
  void ExpectRefused(const Status& status, const std::string& message) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr(message));
    EXPECT_TRUE(DestIsEmpty()) << status.ToString();
  }

  ScratchDir scratch_;
};

TEST_F(ZipReaderTest, KeepsContentsModesAndNestedDirectories) {
  Status status = ExtractBuilt({ZipEntry{"bootstrap", "#!/bin/sh\n", 0755}, ZipEntry{"lib/libx.so", "elf", 0644},
                                ZipEntry{"a/b/c/deep.txt", "deep", 0600}, ZipEntry{"empty/", "", 0700},
                                ZipEntry{"ro/", "", 0555}, ZipEntry{"ro/inside", "r", 0444}});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ReadTestFile(dest() + "/bootstrap"), "#!/bin/sh\n");
  EXPECT_EQ(ModeOf(dest() + "/bootstrap"), kFile | 0755);
  EXPECT_EQ(ModeOf(dest() + "/lib/libx.so"), kFile | 0644);
  EXPECT_EQ(ReadTestFile(dest() + "/a/b/c/deep.txt"), "deep");
  EXPECT_EQ(ModeOf(dest() + "/a/b/c/deep.txt"), kFile | 0600);
  EXPECT_EQ(ModeOf(dest() + "/a/b"), kDirectory | 0755);  // named by no entry
  EXPECT_EQ(ModeOf(dest() + "/empty"), kDirectory | 0700);
  EXPECT_EQ(ModeOf(dest() + "/ro"), kDirectory | 0555);
  EXPECT_EQ(ModeOf(dest() + "/ro/inside"), kFile | 0444);
  std::filesystem::permissions(dest() + "/ro", std::filesystem::perms::owner_all);  // for ScratchDir
}

TEST_F(ZipReaderTest, ReadsZipsOfDebiansZip) {
  if (std::system("command -v zip >/dev/null") != 0) GTEST_SKIP() << "no zip (scripts/install-deps.sh)";
  std::string src = scratch_ / "src";
  std::filesystem::create_directories(src + "/bin");
  WriteTestFile(src + "/bin/handler", "#!/bin/sh\necho hi\n");
  chmod((src + "/bin/handler").c_str(), 0755);
  WriteTestFile(src + "/data.txt", "data");
  chmod((src + "/data.txt").c_str(), 0640);
  ASSERT_EQ(symlink("bin/handler", (src + "/bootstrap").c_str()), 0);
  // -y stores the symlink as a link; -X leaves out the extra fields of uid, gid and times.
  std::string command = "cd " + src + " && zip -qryX " + zip_path() + " .";
  ASSERT_EQ(std::system(command.c_str()), 0);
  EXPECT_TRUE(LooksLikeZip(zip_path()));
  Status status = ExtractZip(zip_path(), dest());
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(LinkOf(dest() + "/bootstrap"), "bin/handler");
  EXPECT_EQ(ModeOf(dest() + "/bin/handler"), kFile | 0755);
  EXPECT_EQ(ModeOf(dest() + "/data.txt"), kFile | 0640);
  EXPECT_EQ(ReadTestFile(dest() + "/bootstrap"), "#!/bin/sh\necho hi\n");
}

TEST_F(ZipReaderTest, EntriesWithoutUnixAttributesGetDefaultModes) {
  Status status = ExtractRaw({{"dir/", "", 0}, {"dir/file", "x", 0}, {"top", "y", 0}});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ModeOf(dest() + "/dir"), kDirectory | 0755);
  EXPECT_EQ(ModeOf(dest() + "/dir/file"), kFile | 0644);
  EXPECT_EQ(ModeOf(dest() + "/top"), kFile | 0644);
}

TEST_F(ZipReaderTest, SetIdBitsAreDropped) {
  Status status = ExtractRaw({{"suid", "x", kFile | 04755}});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ModeOf(dest() + "/suid"), kFile | 0755);
}

TEST_F(ZipReaderTest, SymlinksThatStayInsideAreCreated) {
  Status status = ExtractRaw({{"bin/tool", "#!/bin/sh\n", kFile | 0755},
                              {"bootstrap", "bin/tool", kSymlink | 0777},
                              {"lib/tool", "../bin/./tool", kSymlink | 0777},
                              {"lib/up", "..", kSymlink | 0777},
                              {"via", "lib/up/bin/tool", kSymlink | 0777},
                              {"dangling", "lib/missing", kSymlink | 0777}});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(LinkOf(dest() + "/bootstrap"), "bin/tool");
  EXPECT_EQ(LinkOf(dest() + "/lib/tool"), "../bin/./tool");
  EXPECT_EQ(ReadTestFile(dest() + "/via"), "#!/bin/sh\n");
  EXPECT_EQ(LinkOf(dest() + "/dangling"), "lib/missing");
}

TEST_F(ZipReaderTest, SymlinksThatEscapeAreRefused) {
  for (const char* target : {"../outside", "/etc/passwd", "a/../../x", "lib/../..", "up/../x", "loop/x"}) {
    SCOPED_TRACE(target);
    // "up" is a symlink to the root itself: fine alone, one level too many through it.
    ExpectRefused(ExtractRaw({{"a/file", "x"},
                              {"up", ".", kSymlink | 0777},
                              {"link", target, kSymlink | 0777},
                              {"loop", "link", kSymlink | 0777}}),
                  "entry 'link' is a symlink to '" + std::string(target) + "', which escapes the task root");
  }
  ExpectRefused(ExtractRaw({{"d/up", "..", kSymlink | 0777}, {"e", "d/up/../x", kSymlink | 0777}}),
                "entry 'e' is a symlink to 'd/up/../x', which escapes the task root");
}

TEST_F(ZipReaderTest, NamesThatLeaveTheRootAreRefused) {
  ExpectRefused(ExtractRaw({{"ok", "1"}, {"../x", "2"}}), "entry '../x' escapes the task root");
  ExpectRefused(ExtractRaw({{"/abs", "2"}}), "entry '/abs' is an absolute path");
  ExpectRefused(ExtractRaw({{"a/../../x", "2"}}), "entry 'a/../../x' escapes the task root");
  ExpectRefused(ExtractRaw({{"a//b", "2"}}), "entry 'a//b' has an empty path component");
  ExpectRefused(ExtractRaw({{"./a", "2"}}), "has a '.' path component");
  ExpectRefused(ExtractRaw({{"..\\x", "2"}}), "entry '..\\x5cx' has a backslash");
  ExpectRefused(ExtractRaw({{"C:/x", "2"}}), "entry 'C:/x' starts with a drive letter");
  ExpectRefused(ExtractRaw({{std::string("a\0b", 3), "2"}}), "entry 'a\\x00' has a NUL byte in its name");
  ExpectRefused(ExtractRaw({{std::string(300, 'n'), "2"}}), "over 255 bytes");
  std::string deep;
  for (int i = 0; i < 130; ++i) deep += "d/";
  ExpectRefused(ExtractRaw({{deep + "f", "2"}}), "more than 128 levels deep");
  ExpectRefused(ExtractRaw({{"dev", "", 0020644}}), "is a device, FIFO or socket");
}

TEST_F(ZipReaderTest, DuplicatesAndEntriesThroughLinksOrFilesAreRefused) {
  ExpectRefused(ExtractRaw({{"a", "1"}, {"a", "2"}}), "entry 'a' appears twice");
  ExpectRefused(ExtractRaw({{"a/", ""}, {"a", "2"}}), "entry 'a' appears twice");
  ExpectRefused(ExtractRaw({{"sub/", "", kDirectory | 0755}, {"link", "sub", kSymlink | 0777}, {"link/x", "2"}}),
                "entry 'link/x' would be written through the symlink 'link'");
  ExpectRefused(ExtractRaw({{"f", "1"}, {"f/x", "2"}}), "entry 'f/x' is inside 'f', which is a file");
}

TEST_F(ZipReaderTest, CorruptDataIsRefusedAndWhatWasWrittenRemoved) {
  ExpectRefused(ExtractRaw({{"good/file", "fine"}, {"bad", "corrupted data", kFile | 0644, true}}),
                "entry 'bad' is corrupt");
}

TEST_F(ZipReaderTest, TruncatedFilesAndNonZipsAreRefused) {
  Result<std::string> zip = BuildZip({ZipEntry{"bootstrap", std::string(5000, 'b'), 0755}});
  ASSERT_TRUE(zip.ok());
  ExpectRefused(ExtractBytes(zip->substr(0, zip->size() / 2)), "is not a readable zip archive");
  ExpectRefused(ExtractBytes(zip->substr(0, zip->size() - 1)), "is not a readable zip archive");
  WriteTestFile(zip_path(), "#!/bin/sh\necho not a zip\n");
  EXPECT_FALSE(LooksLikeZip(zip_path()));
  ExpectRefused(ExtractZip(zip_path(), dest()), "is not a readable zip archive");
  WriteTestFile(zip_path(), *zip);
  EXPECT_TRUE(LooksLikeZip(zip_path()));
  EXPECT_FALSE(LooksLikeZip(scratch_ / "missing.zip"));
}

TEST_F(ZipReaderTest, ZipBombsAndTooManyEntriesAreRefused) {
  // 1 MB of zeros deflates to about a kilobyte.
  ExpectRefused(ExtractBuilt({ZipEntry{"zeros", std::string(1 << 20, '\0')}}, ZipLimits{100000, 10}),
                "the zip unpacks to more than 100000 bytes");
  ExpectRefused(ExtractBuilt({ZipEntry{"a", "1"}, ZipEntry{"b", "2"}, ZipEntry{"c", "3"}}, ZipLimits{100000, 2}),
                "the zip has 3 entries, over the limit of 2");
  EXPECT_TRUE(ExtractBuilt({ZipEntry{"a", "1"}, ZipEntry{"b", "2"}}, ZipLimits{2, 2}).ok());
}

TEST_F(ZipReaderTest, AnEntryThatInflatesPastItsDeclaredSizeIsRefused) {
  Result<std::string> zip = BuildZip({ZipEntry{"first", "x"}, ZipEntry{"zeros", std::string(100000, '\0')}});
  ASSERT_TRUE(zip.ok());
  // The declared size of "zeros", 100000, becomes 1000 in its local and central headers: the
  // total checked up front is then small, and only reading holds the entry to it.
  std::string lying = *zip;
  const std::string declared("\xa0\x86\x01\x00", 4), small("\xe8\x03\x00\x00", 4);
  for (size_t at = lying.find(declared); at != std::string::npos; at = lying.find(declared, at + 4)) {
    lying.replace(at, 4, small);
  }
  ExpectRefused(ExtractBytes(lying, ZipLimits{5000, 10}), "entry 'zeros' holds more data than its declared size");
}

TEST_F(ZipReaderTest, TheDestinationMustBeAnExistingEmptyDirectory) {
  Result<std::string> zip = BuildZip({ZipEntry{"a", "1"}});
  ASSERT_TRUE(zip.ok());
  WriteTestFile(zip_path(), *zip);
  EXPECT_EQ(ExtractZip(zip_path(), scratch_ / "nowhere").code(), StatusCode::kNotFound);
  EXPECT_EQ(ExtractZip(scratch_ / "missing.zip", dest()).code(), StatusCode::kNotFound);
  WriteTestFile(dest() + "/already", "here");
  EXPECT_EQ(ExtractZip(zip_path(), dest()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadTestFile(dest() + "/already"), "here");
}

class UnpackedZipTest : public ZipReaderTest {
 protected:
  UnpackedZipTest() { std::filesystem::create_directory(parent()); }

  Result<UnpackedZip> UnpackBuilt(std::vector<ZipEntry> entries) {
    Result<std::string> zip = BuildZip(std::move(entries));
    EXPECT_TRUE(zip.ok());
    WriteTestFile(zip_path(), zip.ok() ? *zip : "");
    return UnpackedZip::Unpack(zip_path(), parent());
  }
  bool ParentIsEmpty() const { return std::filesystem::is_empty(parent()); }
  void ExpectRefused(const Result<UnpackedZip>& unpacked, const std::string& message) {
    EXPECT_EQ(unpacked.status().code(), StatusCode::kInvalidArgument) << unpacked.status().ToString();
    EXPECT_THAT(unpacked.status().message(), HasSubstr(message));
    EXPECT_TRUE(ParentIsEmpty());
  }
};

TEST_F(UnpackedZipTest, UnpacksIntoAPrivateDirectoryRemovedOnDestruction) {
  {
    Result<UnpackedZip> unpacked = UnpackBuilt({ZipEntry{"bootstrap", "#!/bin/sh\n", 0755},
                                                ZipEntry{"ro/", "", 0500}, ZipEntry{"ro/f", "x", 0400}});
    ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
    EXPECT_THAT(unpacked->task_root(), HasSubstr(parent() + "/zerostart-task-"));
    EXPECT_EQ(ModeOf(unpacked->task_root()), kDirectory | 0700);
    EXPECT_EQ(unpacked->bootstrap(), unpacked->task_root() + "/bootstrap");
    EXPECT_EQ(access(unpacked->bootstrap().c_str(), X_OK), 0);

    UnpackedZip moved = std::move(*unpacked);
    EXPECT_TRUE(unpacked->task_root().empty());
    EXPECT_EQ(ReadTestFile(moved.bootstrap()), "#!/bin/sh\n");
  }
  EXPECT_TRUE(ParentIsEmpty());
}

TEST_F(UnpackedZipTest, ABootstrapSymlinkIntoTheZipServes) {
  WriteTestFile(zip_path(), RawZip({{"bin/app", "#!/bin/sh\n", kFile | 0755}, {"bootstrap", "bin/app", kSymlink | 0777}}));
  Result<UnpackedZip> unpacked = UnpackedZip::Unpack(zip_path(), parent());
  ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
  EXPECT_EQ(ReadTestFile(unpacked->bootstrap()), "#!/bin/sh\n");
}

TEST_F(UnpackedZipTest, RefusesZipsLambdaCouldNotRun) {
  ExpectRefused(UnpackBuilt({ZipEntry{"bin/bootstrap", "x", 0755}}),
                "the zip has no bootstrap at its root: Lambda's provided runtimes run /var/task/bootstrap");
  ExpectRefused(UnpackBuilt({ZipEntry{"bootstrap", "x", 0644}}),
                "bootstrap in the zip is not executable (mode 0644): zip it with its exec bit, e.g. zerostart package");
  ExpectRefused(UnpackBuilt({ZipEntry{"bootstrap/", "", 0755}, ZipEntry{"bootstrap/x", "x", 0755}}),
                "bootstrap in the zip is a directory");
  WriteTestFile(zip_path(), RawZip({{"bootstrap", "missing", kSymlink | 0777}}));
  ExpectRefused(UnpackedZip::Unpack(zip_path(), parent()), "bootstrap in the zip is a symlink");
  WriteTestFile(zip_path(), RawZip({{"bootstrap", "x", kFile | 0755}, {"../x", "y"}}));
  ExpectRefused(UnpackedZip::Unpack(zip_path(), parent()), "entry '../x' escapes the task root");
  WriteTestFile(zip_path(), RawZip({{"bootstrap", "x", kFile | 0755}, {"bad", "y", kFile | 0644, true}}));
  ExpectRefused(UnpackedZip::Unpack(zip_path(), parent()), "entry 'bad' is corrupt");
}

TEST_F(UnpackedZipTest, AMissingParentIsNotFound) {
  Result<UnpackedZip> unpacked = UnpackedZip::Unpack(zip_path(), scratch_ / "no/such/parent");
  EXPECT_EQ(unpacked.status().code(), StatusCode::kNotFound) << unpacked.status().ToString();
}

}  // namespace zip_reader_test
}  // namespace zerostart::package
