#include "src/http/message.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "src/http/chars.h"

namespace zerostart::http {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// The sanitising appenders first check the common case (nothing to rewrite) so that a clean
// header costs one scan and one append.
void AppendToken(std::string_view text, std::string* out) {
  if (chars::AllToken(text)) {
    out->append(text);
    return;
  }
  for (char c : text) out->push_back(chars::IsToken(c) ? c : '_');
}

void AppendFieldText(std::string_view text, std::string* out) {
  if (chars::AllFieldChars(text)) {
    out->append(text);
    return;
  }
  for (char c : text) out->push_back(chars::IsFieldChar(c) ? c : ' ');
}

void AppendTarget(std::string_view target, std::string* out) {
  if (target.empty()) {
    out->push_back('/');
    return;
  }
  bool clean = true;
  for (char c : target) clean &= static_cast<unsigned char>(c) > 0x20 && c != 0x7F;
  if (clean) {
    out->append(target);
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u != 0x7F) {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xF]);
    }
  }
}

void AppendNumber(uint64_t value, std::string* out) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, result.ptr);
}

// Header lines, then Content-Length if wanted, then the blank line.
void AppendHeadersAndEnd(const Headers& headers, bool add_length, size_t body_size,
                         std::string* out) {
  AppendHeaderFields(headers, out);
  if (add_length && !headers.Has("Content-Length") && !headers.Has("Transfer-Encoding")) {
    out->append("Content-Length: ");
    AppendNumber(body_size, out);
    out->append("\r\n");
  }
  out->append("\r\n");
}

size_t HeadSizeHint(const Headers& headers) {
  size_t size = 64;
  for (const Header& header : headers.entries()) {
    size += header.name.size() + header.value.size() + 4;
  }
  return size;
}

}  // namespace

void AppendHeaderFields(const Headers& headers, std::string* out) {
  for (const Header& header : headers.entries()) {
    if (header.name.empty()) continue;
    AppendToken(header.name, out);
    out->append(": ");
    AppendFieldText(header.value, out);
    out->append("\r\n");
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

void Headers::Add(std::string name, std::string value) {
  entries_.push_back(Header{std::move(name), std::move(value)});
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(entries_, [&](const Header& h) { return EqualsIgnoreCase(h.name, name); });
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const Header& header : entries_) {
    if (EqualsIgnoreCase(header.name, name)) return std::string_view(header.value);
  }
  return std::nullopt;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    default: return "Unknown";
  }
}

int SendableStatus(int status) { return (status >= 100 && status <= 999) ? status : 500; }

bool StatusAllowsBody(int status) { return status >= 200 && status != 204 && status != 304; }

void AppendRequestHead(const Request& request, std::string* out) {
  out->reserve(out->size() + request.method.size() + request.target.size() +
               HeadSizeHint(request.headers));
  if (request.method.empty()) {
    out->append("GET");
  } else {
    AppendToken(request.method, out);
  }
  out->push_back(' ');
  AppendTarget(request.target, out);
  out->append(" HTTP/1.1\r\n");
  AppendHeadersAndEnd(request.headers, /*add_length=*/true, request.body.size(), out);
}

void AppendResponseHead(const Response& response, std::string* out) {
  out->reserve(out->size() + response.reason.size() + HeadSizeHint(response.headers));
  int status = SendableStatus(response.status);
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  if (response.reason.empty() || status != response.status) {
    out->append(ReasonPhrase(status));
  } else {
    AppendFieldText(response.reason, out);
  }
  out->append("\r\n");
  AppendHeadersAndEnd(response.headers, StatusAllowsBody(status), response.body.size(), out);
}

std::string SerializeRequestHead(const Request& request) {
  std::string out;
  AppendRequestHead(request, &out);
  return out;
}

std::string SerializeResponseHead(const Response& response) {
  std::string out;
  AppendResponseHead(response, &out);
  return out;
}

}  // namespace zerostart::http
