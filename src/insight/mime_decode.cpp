#include "insight/mime_decode.hpp"

#include <openssl/evp.h>

#include <memory>

#include "insight/header_block.hpp"

namespace mailprobe::insight {

std::string decode_base64(std::string_view in) {
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(), EVP_ENCODE_CTX_free);
  if (!ctx) return {};
  EVP_DecodeInit(ctx.get());
  std::string out;
  constexpr std::size_t kChunk = 4096;
  unsigned char buf[kChunk / 4 * 3 + 64];
  for (std::size_t off = 0; off < in.size(); off += kChunk) {
    std::size_t n = std::min(kChunk, in.size() - off);
    int produced = 0;
    int rc = EVP_DecodeUpdate(ctx.get(), buf, &produced, reinterpret_cast<const unsigned char*>(in.data() + off),
                              static_cast<int>(n));
    if (produced > 0) out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(produced));
    if (rc < 0) return out;
    if (rc == 0) break;  // '=' padding seen: end of data
  }
  int produced = 0;
  if (EVP_DecodeFinal(ctx.get(), buf, &produced) == 1 && produced > 0)
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(produced));
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '\n') {
      i += 1;
      continue;
    }
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
      continue;
    }
    int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      out.push_back(c);
      continue;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  auto e = trim(encoding);
  if (iequals(e, "base64")) return decode_base64(body);
  if (iequals(e, "quoted-printable")) return decode_quoted_printable(body);
  return std::string(body);
}

std::string content_type_param(std::string_view ct, std::string_view name) {
  std::size_t pos = 0;
  while (pos < ct.size()) {
    std::size_t semi = ct.find(';', pos);
    if (semi == std::string_view::npos) return {};
    pos = semi + 1;
    std::string_view rest = ct.substr(pos);
    std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return {};
    if (!iequals(trim(rest.substr(0, eq)), name)) continue;
    rest = rest.substr(eq + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (!rest.empty() && rest.front() == '"') {
      std::string out;
      for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) {
          out.push_back(rest[++i]);
          continue;
        }
        if (rest[i] == '"') break;
        out.push_back(rest[i]);
      }
      return out;
    }
    std::size_t end = rest.find_first_of("; \t");
    return std::string(rest.substr(0, end));
  }
  return {};
}

std::string media_type(std::string_view ct) {
  std::string_view t = trim(ct.substr(0, ct.find(';')));
  if (t.empty()) return "text/plain";
  return ascii_lower(t);
}

}  // namespace mailprobe::insight
