#include "src/runtime/endpoint.h"

#include <string>

namespace zerostart::runtime {
namespace {

constexpr std::string_view kHttpScheme = "http://";
constexpr std::string_view kDefaultHttpPort = ":80";

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

Status Invalid(std::string_view text, std::string_view why) {
  std::string m = "bad Runtime API endpoint '";
  m += text;
  m += "': ";
  m += why;
  return InvalidArgumentError(std::move(m));
}

}  // namespace

Result<RuntimeApiEndpoint> ParseRuntimeApiEndpoint(std::string_view text) {
  std::string_view rest = text;
  bool is_url = false;
  if (StartsWithIgnoreCase(rest, kHttpScheme)) {
    rest.remove_prefix(kHttpScheme.size());
    is_url = true;
  } else if (rest.find("://") != std::string_view::npos) {
    return Invalid(text, "only http:// is supported");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Invalid(text, "query strings and fragments are not supported");
  }
  size_t slash = is_url ? rest.find('/') : std::string_view::npos;
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.empty()) return Invalid(text, "missing host");

  std::string host_port(authority);
  // A URL may leave the port out ("http://host", "http://[::1]"); bare host:port may not.
  bool has_port = authority.back() != ']' &&
                  authority.find(':', authority.front() == '[' ? authority.find(']') : 0) !=
                      std::string_view::npos;
  if (is_url && !has_port) host_port += kDefaultHttpPort;

  Result<net::HostPort> address = net::ParseHostPort(host_port);
  if (!address.ok()) return Invalid(text, address.status().message());
  if (address->host.empty()) return Invalid(text, "missing host");

  RuntimeApiEndpoint endpoint;
  endpoint.address = std::move(address).value();
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.path_prefix = std::string(path);
  endpoint.host_header = std::string(authority);
  if (is_url && !has_port) endpoint.host_header += kDefaultHttpPort;
  return endpoint;
}

}  // namespace zerostart::runtime
