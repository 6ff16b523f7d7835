#include "src/package/elf_info.h"

#include <algorithm>
#include <charconv>

namespace zerostart::package {
namespace {

// ELF64 layout facts (System V gABI, "ELF-64 Object File Format").
constexpr uint64_t kEhdrSize = 64;
constexpr uint64_t kPhdrSize = 56;
constexpr uint64_t kDynSize = 16;
constexpr uint64_t kVerneedSize = 16;
constexpr uint64_t kVernauxSize = 16;
constexpr uint8_t kElfClass32 = 1, kElfClass64 = 2;
constexpr uint8_t kElfData2Lsb = 1, kElfData2Msb = 2;
constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;
constexpr uint16_t kPnXnum = 0xffff;
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10;
constexpr int64_t kDtVerneed = 0x6ffffffe, kDtVerneednum = 0x6fffffff;

// Bounds on work, far above any real binary (glibc's own tables have tens of entries).
constexpr uint64_t kMaxVerneed = 4096;
constexpr uint64_t kMaxVernauxTotal = 1 << 16;
constexpr uint64_t kMaxInterpreter = 4096;

Status Malformed(const std::string& what) { return InvalidArgumentError("malformed ELF: " + what); }

// Little-endian reads at a file offset, bounds-checked against the input.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const { return bytes_.size(); }
  // True if [offset, offset + length) lies inside the input (no overflow).
  bool Contains(uint64_t offset, uint64_t length) const {
    return offset <= size() && length <= size() - offset;
  }
  uint64_t Le(uint64_t offset, int width) const {  // REQUIRES: Contains(offset, width)
    uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) {
      value = (value << 8) | static_cast<uint8_t>(bytes_[offset + static_cast<uint64_t>(i)]);
    }
    return value;
  }
  uint16_t U16(uint64_t offset) const { return static_cast<uint16_t>(Le(offset, 2)); }
  uint32_t U32(uint64_t offset) const { return static_cast<uint32_t>(Le(offset, 4)); }
  uint64_t U64(uint64_t offset) const { return Le(offset, 8); }
  // The NUL-terminated string at `offset`, which must end before `limit` (<= size()).
  std::optional<std::string_view> CString(uint64_t offset, uint64_t limit) const {
    if (offset >= limit || limit > size()) return std::nullopt;
    std::string_view rest = bytes_.substr(offset, limit - offset);
    size_t end = rest.find('\0');
    if (end == std::string_view::npos) return std::nullopt;
    return rest.substr(0, end);
  }

 private:
  std::string_view bytes_;
};

struct Segment {
  uint32_t type;
  uint64_t offset, vaddr, filesz;
};

// The file offset of virtual address `vaddr`, through the PT_LOAD segment holding it.
std::optional<uint64_t> FileOffset(const std::vector<Segment>& loads, uint64_t vaddr, const Reader& r) {
  for (const Segment& s : loads) {
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) {
      uint64_t delta = vaddr - s.vaddr;
      if (!r.Contains(s.offset, delta)) return std::nullopt;
      return s.offset + delta;
    }
  }
  return std::nullopt;
}

Result<std::vector<Segment>> ReadProgramHeaders(const Reader& r) {
  uint64_t phoff = r.U64(32);
  uint16_t phentsize = r.U16(54);
  uint16_t phnum = r.U16(56);
  if (phnum == kPnXnum) return Malformed("more than 65534 program headers (PN_XNUM) is not supported");
  if (phnum == 0) return Malformed("no program headers (not an executable)");
  if (phentsize < kPhdrSize) return Malformed("program header size " + std::to_string(phentsize) + " < 56");
  if (!r.Contains(phoff, uint64_t{phnum} * phentsize)) return Malformed("program headers lie outside the file");
  std::vector<Segment> segments;
  segments.reserve(phnum);
  for (uint64_t i = 0; i < phnum; ++i) {
    uint64_t at = phoff + i * phentsize;
    segments.push_back({r.U32(at), r.U64(at + 8), r.U64(at + 16), r.U64(at + 32)});
  }
  return segments;
}

Result<std::string> ReadInterpreter(const Reader& r, const Segment& interp) {
  if (interp.filesz == 0 || !r.Contains(interp.offset, interp.filesz)) {
    return Malformed("PT_INTERP lies outside the file");
  }
  uint64_t limit = interp.offset + std::min(interp.filesz, kMaxInterpreter);
  std::optional<std::string_view> path = r.CString(interp.offset, limit);
  if (!path || path->empty()) return Malformed("PT_INTERP is not a NUL-terminated path");
  return std::string(*path);
}

// The dynamic segment's string table, located by DT_STRTAB/DT_STRSZ.
struct StringTable {
  uint64_t offset = 0, limit = 0;  // file offsets; strings must end before limit
  std::optional<std::string_view> At(const Reader& r, uint64_t index) const {
    if (index >= limit - offset) return std::nullopt;
    return r.CString(offset + index, limit);
  }
};

struct DynamicEntries {
  std::vector<uint64_t> needed;  // string table indexes
  std::optional<uint64_t> strtab, strsz, verneed, verneednum;
};

Result<DynamicEntries> ReadDynamic(const Reader& r, const Segment& dynamic) {
  if (!r.Contains(dynamic.offset, dynamic.filesz)) return Malformed("PT_DYNAMIC lies outside the file");
  DynamicEntries out;
  for (uint64_t at = dynamic.offset; at + kDynSize <= dynamic.offset + dynamic.filesz; at += kDynSize) {
    int64_t tag = static_cast<int64_t>(r.U64(at));
    uint64_t value = r.U64(at + 8);
    if (tag == kDtNull) break;
    if (tag == kDtNeeded) out.needed.push_back(value);
    if (tag == kDtStrtab) out.strtab = value;
    if (tag == kDtStrsz) out.strsz = value;
    if (tag == kDtVerneed) out.verneed = value;
    if (tag == kDtVerneednum) out.verneednum = value;
  }
  return out;
}

Result<StringTable> LocateStrings(const Reader& r, const std::vector<Segment>& loads, const DynamicEntries& d) {
  if (!d.strtab) return Malformed("dynamic segment has DT_NEEDED or DT_VERNEED but no DT_STRTAB");
  std::optional<uint64_t> offset = FileOffset(loads, *d.strtab, r);
  if (!offset) return Malformed("DT_STRTAB is not inside a loaded part of the file");
  StringTable table{*offset, r.size()};
  if (d.strsz && r.Contains(*offset, *d.strsz)) table.limit = *offset + *d.strsz;
  if (d.strsz && !r.Contains(*offset, *d.strsz)) return Malformed("DT_STRSZ runs past the end of the file");
  return table;
}

// Walks the DT_VERNEED chain; appends every GLIBC_* version named in it.
Status ReadVersionNeeds(const Reader& r, const std::vector<Segment>& loads, const DynamicEntries& d,
                        const StringTable& strings, std::vector<GlibcVersion>* out) {
  std::optional<uint64_t> start = FileOffset(loads, *d.verneed, r);
  if (!start) return Malformed("DT_VERNEED is not inside a loaded part of the file");
  uint64_t count = d.verneednum.value_or(kMaxVerneed);
  if (count > kMaxVerneed) return Malformed("DT_VERNEEDNUM " + std::to_string(count) + " is too large");
  uint64_t at = *start;
  uint64_t aux_total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (!r.Contains(at, kVerneedSize)) return Malformed("a version-needed entry lies outside the file");
    uint16_t aux_count = r.U16(at + 2);
    uint64_t aux = at + r.U32(at + 8);
    for (uint16_t j = 0; j < aux_count; ++j) {
      if (++aux_total > kMaxVernauxTotal) return Malformed("too many version-needed entries");
      if (!r.Contains(aux, kVernauxSize)) return Malformed("a version-needed name entry lies outside the file");
      std::optional<std::string_view> name = strings.At(r, r.U32(aux + 8));
      if (!name) return Malformed("a version-needed name lies outside the string table");
      if (std::optional<GlibcVersion> v = ParseGlibcVersionName(*name)) out->push_back(std::move(*v));
      uint32_t next = r.U32(aux + 12);
      if (next == 0) break;
      aux += next;
    }
    uint32_t next = r.U32(at + 12);
    if (next == 0) break;
    at += next;
  }
  return OkStatus();
}

Status CheckIdent(const Reader& r, uint16_t* type) {
  if (r.size() >= 2 && r.U16(0) == 0x2123) {  // "#!"
    return InvalidArgumentError("a script (starts with #!), not an ELF binary");
  }
  if (r.size() < 4 || r.U32(0) != 0x464c457f) return InvalidArgumentError("not an ELF binary (no \\x7fELF magic)");
  if (r.size() < 6) return Malformed("truncated identification");
  uint8_t elf_class = static_cast<uint8_t>(r.Le(4, 1));
  uint8_t data = static_cast<uint8_t>(r.Le(5, 1));
  if (elf_class == kElfClass32) return InvalidArgumentError("a 32-bit ELF; Lambda runs 64-bit binaries only");
  if (elf_class != kElfClass64) return Malformed("unknown ELF class " + std::to_string(elf_class));
  if (data == kElfData2Msb) return InvalidArgumentError("a big-endian ELF; Lambda runs little-endian binaries only");
  if (data != kElfData2Lsb) return Malformed("unknown ELF data encoding " + std::to_string(data));
  if (r.size() < kEhdrSize) return Malformed("truncated ELF header (" + std::to_string(r.size()) + " bytes)");
  *type = r.U16(16);
  if (*type == kEtRel) return InvalidArgumentError("a relocatable object (.o), not an executable");
  if (*type == kEtCore) return InvalidArgumentError("a core dump, not an executable");
  if (*type != kEtExec && *type != kEtDyn) return Malformed("unknown ELF type " + std::to_string(*type));
  return OkStatus();
}

}  // namespace

std::string GlibcVersion::ToString() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(parts[i]);
  }
  return out;
}

std::optional<GlibcVersion> ParseGlibcVersionName(std::string_view name) {
  if (name == "GLIBC_ABI_DT_RELR") return GlibcVersion{{2, 36}};
  constexpr std::string_view kPrefix = "GLIBC_";
  if (!name.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = name.substr(kPrefix.size());
  GlibcVersion version;
  while (true) {
    uint32_t part = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), part);
    if (error != std::errc() || end == rest.data()) return std::nullopt;
    version.parts.push_back(part);
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    if (rest.empty()) break;
    if (rest.front() != '.' || version.parts.size() >= 4) return std::nullopt;
    rest.remove_prefix(1);
  }
  return version;
}

std::optional<GlibcVersion> ElfInfo::max_glibc() const {
  if (glibc_versions.empty()) return std::nullopt;
  return glibc_versions.back();
}

Result<ElfInfo> ReadElfInfo(std::string_view bytes) {
  Reader r(bytes);
  ElfInfo info;
  ZS_RETURN_IF_ERROR(CheckIdent(r, &info.type));
  info.machine = r.U16(18);
  ZS_ASSIGN_OR_RETURN(std::vector<Segment> segments, ReadProgramHeaders(r));

  std::vector<Segment> loads;
  const Segment* interp = nullptr;
  const Segment* dynamic = nullptr;
  for (const Segment& s : segments) {
    if (s.type == kPtLoad) loads.push_back(s);
    if (s.type == kPtInterp) {
      if (interp) return Malformed("more than one PT_INTERP");
      interp = &s;
    }
    if (s.type == kPtDynamic) {
      if (dynamic) return Malformed("more than one PT_DYNAMIC");
      dynamic = &s;
    }
  }
  if (interp) {
    ZS_ASSIGN_OR_RETURN(info.interpreter, ReadInterpreter(r, *interp));
  }
  if (!dynamic) return info;
  ZS_ASSIGN_OR_RETURN(DynamicEntries entries, ReadDynamic(r, *dynamic));
  if (entries.needed.empty() && !entries.verneed) return info;  // static-pie: no libraries
  ZS_ASSIGN_OR_RETURN(StringTable strings, LocateStrings(r, loads, entries));
  for (uint64_t index : entries.needed) {
    std::optional<std::string_view> name = strings.At(r, index);
    if (!name) return Malformed("a DT_NEEDED name lies outside the string table");
    info.needed.emplace_back(*name);
  }
  if (entries.verneed) {
    ZS_RETURN_IF_ERROR(ReadVersionNeeds(r, loads, entries, strings, &info.glibc_versions));
  }
  std::sort(info.glibc_versions.begin(), info.glibc_versions.end());
  info.glibc_versions.erase(std::unique(info.glibc_versions.begin(), info.glibc_versions.end()),
                            info.glibc_versions.end());
  if (info.interpreter.empty() && !info.needed.empty()) {
    return InvalidArgumentError("a shared library (DT_NEEDED but no program interpreter), not an executable");
  }
  return info;
}

std::string MachineName(uint16_t machine) {
  if (machine == kElfMachineX86_64) return "x86_64";
  if (machine == kElfMachineAarch64) return "arm64";
  return "EM_" + std::to_string(machine);
}

}  // namespace zerostart::package
