// BuildZip, checked by reading the archive back with libzip's reader and by walking its raw
// headers (PKWARE APPNOTE 4.3.7 local file header, 4.3.12 central directory header, 4.3.16
// end of central directory record).
#include "src/package/zip_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include <map>

namespace zerostart::package {
namespace {

using ::testing::HasSubstr;

uint32_t Le(const std::string& b, size_t at, int width) {
  uint32_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + static_cast<size_t>(i)]);
  return v;
}

std::vector<ZipEntry> Sample() {
  return {ZipEntry{"bootstrap", std::string(200000, 'x') + "end", 0755}, ZipEntry{"config/", "", 0755},
          ZipEntry{"config/app.json", "{\"a\":1}", 0644}, ZipEntry{"bin/tool", "#!/bin/sh\n", 0755}};
}

struct Read {
  std::string data;
  uint8_t opsys;
  uint32_t attributes;
  uint16_t method;
};

// The archive read back with libzip: name -> contents and attributes.
std::map<std::string, Read> ReadBack(const std::string& zip) {
  std::map<std::string, Read> out;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  EXPECT_NE(archive, nullptr) << zip_error_strerror(&error);
  if (archive == nullptr) {
    zip_source_free(source);
    return out;
  }
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_uint64_t index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_index(archive, index, 0, &st);
    Read r{};
    zip_file_get_external_attributes(archive, index, 0, &r.opsys, &r.attributes);
    r.method = st.comp_method;
    r.data.resize(st.size);
    zip_file_t* file = zip_fopen_index(archive, index, 0);
    EXPECT_EQ(zip_fread(file, r.data.data(), st.size), static_cast<zip_int64_t>(st.size));
    zip_fclose(file);
    out[st.name] = r;
  }
  zip_close(archive);
  return out;
}

TEST(ZipWriterTest, RoundTripsWithUnixModesAndDeflate) {
  Result<std::string> zip = BuildZip(Sample());
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  std::map<std::string, Read> entries = ReadBack(*zip);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries["bootstrap"].data, std::string(200000, 'x') + "end");
  EXPECT_EQ(entries["bootstrap"].opsys, ZIP_OPSYS_UNIX);
  EXPECT_EQ(entries["bootstrap"].attributes >> 16, 0100755u);
  EXPECT_EQ(entries["bootstrap"].method, ZIP_CM_DEFLATE);
  EXPECT_EQ(entries["config/app.json"].attributes >> 16, 0100644u);
  EXPECT_EQ(entries["config/app.json"].data, "{\"a\":1}");
  EXPECT_EQ(entries["config/"].attributes >> 16, 040755u);
  EXPECT_EQ(entries["config/"].attributes & 0x10, 0x10u);  // MS-DOS directory bit
  EXPECT_EQ(entries["bin/tool"].attributes >> 16, 0100755u);
  EXPECT_LT(zip->size(), 2000u);  // 200 KB of 'x' deflates to almost nothing
}

TEST(ZipWriterTest, RawHeadersAreSortedFixedTimeNoExtraFields) {
  Result<std::string> zip = BuildZip(Sample());
  ASSERT_TRUE(zip.ok());
  const std::string& b = *zip;
  size_t eocd = b.size() - 22;  // no archive comment
  ASSERT_EQ(Le(b, eocd, 4), 0x06054b50u);
  EXPECT_EQ(Le(b, eocd + 20, 2), 0u);  // comment length
  uint32_t count = Le(b, eocd + 10, 2);
  ASSERT_EQ(count, 4u);
  size_t at = Le(b, eocd + 16, 4);
  std::vector<std::string> names;
  for (uint32_t i = 0; i < count; ++i) {
    ASSERT_EQ(Le(b, at, 4), 0x02014b50u);
    EXPECT_EQ(Le(b, at + 4, 2) >> 8, 3u);          // version made by: Unix
    EXPECT_EQ(Le(b, at + 8, 2) & 0x8, 0u);          // no data descriptor
    EXPECT_EQ(Le(b, at + 12, 2), kZipDosTime);
    EXPECT_EQ(Le(b, at + 14, 2), kZipDosDate);
    uint32_t name_length = Le(b, at + 28, 2);
    EXPECT_EQ(Le(b, at + 30, 2), 0u);               // extra field length
    EXPECT_EQ(Le(b, at + 32, 2), 0u);               // comment length
    size_t local = Le(b, at + 42, 4);
    ASSERT_EQ(Le(b, local, 4), 0x04034b50u);
    EXPECT_EQ(Le(b, local + 10, 2), kZipDosTime);
    EXPECT_EQ(Le(b, local + 12, 2), kZipDosDate);
    EXPECT_EQ(Le(b, local + 28, 2), 0u);            // extra field length
    names.push_back(b.substr(at + 46, name_length));
    at += 46 + name_length;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bin/tool", "bootstrap", "config/", "config/app.json"}));
}

TEST(ZipWriterTest, SameEntriesGiveTheSameBytesInAnyOrderAndTimeZone) {
  Result<std::string> first = BuildZip(Sample());
  ASSERT_TRUE(first.ok());
  std::vector<ZipEntry> reversed = Sample();
  std::reverse(reversed.begin(), reversed.end());
  const char* old_tz = getenv("TZ");
  std::string saved = old_tz ? old_tz : "";
  for (const char* tz : {"UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"}) {
    setenv("TZ", tz, 1);
    tzset();
    Result<std::string> again = BuildZip(reversed);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(*again == *first) << "TZ=" << tz;
  }
  if (old_tz) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
  tzset();
}

TEST(ZipWriterTest, RefusesBadInput) {
  EXPECT_EQ(BuildZip({}).status().code(), StatusCode::kInvalidArgument);
  Result<std::string> twice = BuildZip({ZipEntry{"a", "1"}, ZipEntry{"a", "2"}});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("given twice"));
  for (const char* bad : {"", "/", "/abs", "../up", "a/../b", "./a", "a//b", "a/./b", "//"}) {
    Result<std::string> zip = BuildZip({ZipEntry{bad, "x"}});
    ASSERT_FALSE(zip.ok()) << bad;
    EXPECT_THAT(zip.status().message(), HasSubstr("bad zip entry name")) << bad;
  }
}

TEST(ZipWriterTest, EmptyFileAndLargeIncompressibleFile) {
  std::string noise(1 << 20, '\0');
  uint32_t x = 12345;
  for (char& c : noise) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  Result<std::string> zip = BuildZip({ZipEntry{"empty", ""}, ZipEntry{"noise", noise}});
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  std::map<std::string, Read> entries = ReadBack(*zip);
  EXPECT_EQ(entries["empty"].data, "");
  EXPECT_TRUE(entries["noise"].data == noise);
}

}  // namespace
}  // namespace zerostart::package
