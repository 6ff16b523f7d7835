#include "src/emulator/function_url_event.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "src/common/base64.h"

namespace zerostart::emulator {
namespace {

using OrderedJson = nlohmann::ordered_json;

// Fixed members of the event (urls-invocation.html, request payload table). routeKey and
// stage are placeholders: "Function URLs don't use this parameter".
constexpr std::string_view kPayloadVersion = "2.0";
constexpr std::string_view kDefaultRouteKey = "$default";
// The only protocol the emulator's HTTP layer speaks.
constexpr std::string_view kProtocol = "HTTP/1.1";
// "<url-id>.lambda-url.<region>.on.aws" (urls-invocation.html).
constexpr std::string_view kDomainInfix = ".lambda-url.";
constexpr std::string_view kDomainSuffix = ".on.aws";
constexpr size_t kMaxUrlIdLength = 32;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// %XX → the byte; with `plus_is_space`, '+' → ' ' (application/x-www-form-urlencoded, as a
// browser encodes a form's query). InvalidArgument for '%' without two hex digits after it.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return InvalidArgumentError("malformed percent-encoding in '" + std::string(text) + "'");
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char min_second = 0x80;
    unsigned char max_second = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) min_second = 0xA0;  // overlong
      if (lead == 0xED) max_second = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) min_second = 0x90;  // overlong
      if (lead == 0xF4) max_second = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    if (byte(i + 1) < min_second || byte(i + 1) > max_second) return false;
    for (size_t k = 2; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Appends the pieces of a Cookie header ("a=1; b=2") to `cookies`.
void AppendCookies(std::string_view header, OrderedJson* cookies) {
  while (!header.empty()) {
    size_t semicolon = header.find(';');
    std::string_view piece = TrimSpaces(header.substr(0, semicolon));
    if (!piece.empty()) cookies->push_back(std::string(piece));
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
}

// queryStringParameters, or null when the query has no parameters.
Result<OrderedJson> QueryParameters(std::string_view query) {
  OrderedJson parameters = OrderedJson::object();
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    ZS_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, equals), true));
    std::string value;
    if (equals != std::string_view::npos) {
      ZS_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(equals + 1), true));
    }
    auto existing = parameters.find(key);
    if (existing == parameters.end()) {
      parameters[key] = std::move(value);
    } else {
      existing->get_ref<std::string&>() += "," + value;
    }
  }
  if (parameters.empty()) return OrderedJson();
  return parameters;
}

}  // namespace

Result<UrlTarget> ParseUrlTarget(std::string_view target) {
  if (target.substr(0, kUrlRoutePrefix.size()) != kUrlRoutePrefix) {
    return NotFoundError("not a Function URL target");
  }
  std::string_view rest = target.substr(kUrlRoutePrefix.size());
  UrlTarget parsed;
  if (size_t question = rest.find('?'); question != std::string_view::npos) {
    parsed.raw_query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  if (name.empty()) return NotFoundError("Function URL target without a function name");
  ZS_ASSIGN_OR_RETURN(parsed.function_name, PercentDecode(name, false));
  parsed.raw_path = slash == std::string_view::npos ? std::string("/") : std::string(rest.substr(slash));
  return parsed;
}

std::string UrlIdForFunction(std::string_view function_name) {
  std::string id;
  for (char c : function_name) {
    if (id.size() == kMaxUrlIdLength) break;
    char lower = AsciiLower(c);
    if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) id.push_back(lower);
  }
  return id.empty() ? std::string("function") : id;
}

bool IsTextContentType(std::string_view content_type) {
  std::string type = AsciiLower(TrimSpaces(content_type.substr(0, content_type.find(';'))));
  if (type.rfind("text/", 0) == 0) return true;
  if (type == "application/json" || type == "application/javascript" ||
      type == "application/xml" || type == "application/x-www-form-urlencoded") {
    return true;
  }
  // Structured syntax suffixes (RFC 6839): application/vnd.api+json, image/svg+xml, ...
  return type.find('/') != std::string::npos && (EndsWith(type, "+json") || EndsWith(type, "+xml"));
}

std::string UrlEventTime(std::chrono::system_clock::time_point now) {
  // English month names whatever the locale (strftime's %b follows LC_TIME).
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "%02d/%s/%04d:%02d:%02d:%02d +0000", utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

Result<std::string> BuildUrlEvent(const http::Request& request, const UrlTarget& target,
                                  const UrlEventContext& context) {
  OrderedJson cookies = OrderedJson::array();
  OrderedJson headers = OrderedJson::object();
  for (const http::Header& header : request.headers.entries()) {
    if (http::EqualsIgnoreCase(header.name, "Cookie")) {
      AppendCookies(header.value, &cookies);
      continue;
    }
    std::string name = AsciiLower(header.name);
    auto existing = headers.find(name);
    if (existing == headers.end()) {
      headers[name] = header.value;
    } else {
      existing->get_ref<std::string&>() += "," + header.value;
    }
  }
  ZS_ASSIGN_OR_RETURN(OrderedJson query_parameters, QueryParameters(target.raw_query));

  OrderedJson http_context;
  http_context["method"] = request.method;
  http_context["path"] = target.raw_path;
  http_context["protocol"] = kProtocol;
  http_context["sourceIp"] = context.source_ip;
  http_context["userAgent"] = std::string(request.headers.Get("User-Agent").value_or(""));

  OrderedJson request_context;
  request_context["accountId"] = context.account_id;
  request_context["apiId"] = context.url_id;
  request_context["domainName"] =
      context.url_id + std::string(kDomainInfix) + context.region + std::string(kDomainSuffix);
  request_context["domainPrefix"] = context.url_id;
  request_context["http"] = std::move(http_context);
  request_context["requestId"] = context.request_id;
  request_context["routeKey"] = kDefaultRouteKey;
  request_context["stage"] = kDefaultRouteKey;
  request_context["time"] = UrlEventTime(context.now);
  request_context["timeEpoch"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(context.now.time_since_epoch()).count();

  OrderedJson event;
  event["version"] = kPayloadVersion;
  event["routeKey"] = kDefaultRouteKey;
  event["rawPath"] = target.raw_path;
  event["rawQueryString"] = target.raw_query;
  if (!cookies.empty()) event["cookies"] = std::move(cookies);
  event["headers"] = std::move(headers);
  if (!query_parameters.is_null()) event["queryStringParameters"] = std::move(query_parameters);
  event["requestContext"] = std::move(request_context);
  bool base64 = false;
  if (!request.body.empty()) {
    // "If the content type of the request is binary, the body is base64-encoded"
    // (urls-invocation.html): text types travel as they are, provided JSON can carry them.
    std::string_view content_type = request.headers.Get("Content-Type").value_or("");
    base64 = !(IsTextContentType(content_type) && IsValidUtf8(request.body));
    event["body"] = base64 ? Base64Encode(request.body) : request.body;
  }
  event["isBase64Encoded"] = base64;

  std::string text = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > lambda::kMaxPayloadBytes) {
    return ResourceExhaustedError("Function URL event of " + std::to_string(text.size()) +
                                  " bytes exceeds the " + std::to_string(lambda::kMaxPayloadBytes) +
                                  "-byte payload limit");
  }
  return text;
}

}  // namespace zerostart::emulator
