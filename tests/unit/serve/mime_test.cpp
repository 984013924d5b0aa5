#include "serve/mime.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "mime_samples.hpp"
#include "serve/bodystructure.hpp"
#include "serve/envelope.hpp"
#include "serve/imap_parser.hpp"

using namespace mailprobe::serve;

namespace {

std::string_view body_of(std::string_view m, const MimeTree& t, std::size_t i) {
  return m.substr(t.parts[i].body, t.parts[i].end - t.parts[i].body);
}

std::string section(std::string_view m, std::vector<std::uint32_t> path) {
  MimeTree t = parse_mime(m);
  auto i = find_part(t, path);
  return i ? std::string(body_of(m, t, *i)) : std::string("<none>");
}

/// Every structural invariant the renderers rely on.
void check_tree(std::string_view m, const MimeTree& t) {
  REQUIRE(!t.parts.empty());
  REQUIRE(t.parts.size() <= kMaxMimeParts);
  for (const auto& p : t.parts) {
    REQUIRE(p.begin <= p.body);
    REQUIRE(p.body <= p.end);
    REQUIRE(p.end <= m.size());
    REQUIRE(p.depth <= kMaxMimeDepth);
    if (p.shape == MimePart::Shape::message) REQUIRE(p.children.size() == 1);
    if (p.shape == MimePart::Shape::multipart) REQUIRE(!p.children.empty());
    if (p.shape == MimePart::Shape::leaf) REQUIRE(p.children.empty());
    for (std::size_t c : p.children) REQUIRE(c < t.parts.size());
  }
}

/// The rendered structure must tokenize as exactly one IMAP list (balanced
/// parentheses, valid quoting and literals).
bool one_list(const std::string& s) {
  auto toks = mailprobe::serve::imap::tokenize(s);
  return toks && toks->size() == 1 && (*toks)[0].kind == mailprobe::serve::imap::Token::Kind::list;
}

}  // namespace

TEST_SUITE("serve::mime") {
  TEST_CASE("Content-Type and Content-Disposition values (RFC 2045 §5.1, RFC 2183)") {
    auto ct = parse_content_type(" Text/Plain (c) ; charset = \"utf\\\"8\" ; format=flowed; bad; x=y");
    REQUIRE(ct);
    CHECK(ct->type == "TEXT");
    CHECK(ct->subtype == "PLAIN");
    REQUIRE(ct->params.size() == 2);
    CHECK(ct->params[0].name == "CHARSET");
    CHECK(ct->params[0].value == "utf\"8");
    CHECK(ct->params[1].value == "flowed");
    CHECK_FALSE(parse_content_type("text"));
    CHECK_FALSE(parse_content_type("/plain"));
    CHECK_FALSE(parse_content_type(""));
    auto d = parse_disposition("inline; filename=a.txt");
    REQUIRE(d);
    CHECK(d->type == "INLINE");
    CHECK(d->params.at(0).value == "a.txt");
    CHECK_FALSE(parse_disposition(" (only comment)"));
  }

  TEST_CASE("multipart offsets: the CRLF before a delimiter belongs to it; preamble and epilogue are skipped") {
    std::string_view m = samples::kAlternative;
    MimeTree t = parse_mime(m);
    check_tree(m, t);
    REQUIRE(t.parts.size() == 3);
    CHECK(t.parts[0].shape == MimePart::Shape::multipart);
    CHECK(body_of(m, t, 1) == "hi=\r\n there");
    CHECK(body_of(m, t, 2) == "<p>hi</p>");
    CHECK(m.substr(t.parts[2].begin, t.parts[2].body - t.parts[2].begin) == "Content-Type: text/html; charset=\"utf-8\"\r\n\r\n");
  }

  TEST_CASE("bare LF line ends, an unclosed last part, an empty part") {
    std::string m = "Content-Type: multipart/mixed; boundary=q\n\n--q\n\none\n--q\n--q\n\ntwo";
    MimeTree t = parse_mime(m);
    check_tree(m, t);
    REQUIRE(t.parts[0].children.size() == 3);
    CHECK(body_of(m, t, 1) == "one");
    CHECK(body_of(m, t, 2) == "");
    CHECK(body_of(m, t, 3) == "two");
  }

  TEST_CASE("RFC 3501 §6.4.5 part numbers") {
    std::string nested = std::string(samples::kNestedHead) + samples::kInner + "\r\n--o--\r\n";
    CHECK(section(samples::kPlain, {1}) == "line one\r\nline two\r\n");
    CHECK(section(samples::kPlain, {2}) == "<none>");
    CHECK(section(samples::kPlain, {1, 1}) == "<none>");
    CHECK(section(samples::kMixed, {2}) == "JVBERi0xLjQK");
    CHECK(section(samples::kMixed, {3}) == "<none>");
    CHECK(section(samples::kMixed, {0}) == "<none>");
    CHECK(section(nested, {1}) == "see attached");
    CHECK(section(nested, {2}) == samples::kInner);
    CHECK(section(nested, {2, 1}) == "plain");
    CHECK(section(nested, {2, 2}) == "<b>html</b>");
    CHECK(section(nested, {2, 3}) == "<none>");
    CHECK(section(nested, {2, 2, 1}) == "<none>");
    // A message/rfc822 whose message is not multipart: n.1 is that message's body.
    std::string fwd = "Content-Type: message/rfc822\r\n\r\nSubject: s\r\n\r\ninner body";
    CHECK(section(fwd, {1}) == "Subject: s\r\n\r\ninner body");
    CHECK(section(fwd, {1, 1}) == "inner body");
    CHECK(section(fwd, {1, 2}) == "<none>");
  }

  TEST_CASE("limits: nesting depth 8, at most 64 parts, fast on deep and wide input") {
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
    deep += "\r\nleaf\r\n";
    std::string fwd;
    for (int i = 0; i < 200; ++i) fwd += "Content-Type: message/rfc822\r\n\r\n";
    std::string wide = "Content-Type: multipart/mixed; boundary=w\r\n\r\n";
    for (int i = 0; i < 5000; ++i) wide += "--w\r\n\r\nx\r\n";
    auto t0 = std::chrono::steady_clock::now();
    for (const std::string* m : {&deep, &fwd, &wide}) {
      MimeTree t = parse_mime(*m);
      check_tree(*m, t);
      std::string s = render_body_structure(*m, t, 0, true);
      CHECK(one_list(s));
    }
    CHECK(parse_mime(deep).parts.size() == kMaxMimeDepth + 1);
    CHECK(parse_mime(fwd).parts.size() == kMaxMimeDepth + 1);
    CHECK(parse_mime(wide).parts.size() == kMaxMimeParts);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  }

  TEST_CASE("garbage MIME: 600 deterministic mutations parse, render and tokenize") {
    std::string nested = std::string(samples::kNestedHead) + samples::kInner + "\r\n--o--\r\n";
    const std::string seeds[] = {samples::kPlain, samples::kAlternative, samples::kMixed, nested};
    const std::string_view snippets[] = {"\r\n", "\n", "--", "--o", "--i--", "--XX\r\n", "\r\n\r\n", "Content-Type: multipart/mixed; boundary=o\r\n",
                              "Content-Type: message/rfc822\r\n", "(", ")", "\"", "\\", "<", ">", ":", ";", "@", ",", "\x80\xff", std::string_view("\0", 1)};
    std::mt19937 rng(20240501);  // fixed seed: the same 600 messages every run
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
    for (int round = 0; round < 600; ++round) {
      std::string m = seeds[round % 4];
      int edits = 1 + static_cast<int>(pick(8));
      for (int e = 0; e < edits; ++e) {
        std::size_t at = pick(m.size() + 1);
        switch (pick(5)) {
          case 0: m.erase(at, pick(40)); break;
          case 1: m.insert(at, snippets[pick(std::size(snippets))]); break;
          case 2: if (at < m.size()) m[at] = static_cast<char>(rng()); break;
          case 3: m.insert(at, m.substr(pick(m.size()), pick(120))); break;
          default: m.resize(at); break;
        }
      }
      CAPTURE(round);
      MimeTree t = parse_mime(m);
      check_tree(m, t);
      CHECK(one_list(render_body_structure(m, t, 0, true)));
      CHECK(one_list(render_body_structure(m, t, 0, false)));
      CHECK(one_list(render_envelope(m)));
      for (std::uint32_t a = 1; a <= 3; ++a)
        for (std::uint32_t b = 0; b <= 3; ++b) {
          std::vector<std::uint32_t> path{a};
          if (b) path.push_back(b);
          if (auto i = find_part(t, path)) CHECK(*i < t.parts.size());
        }
    }
  }
}
