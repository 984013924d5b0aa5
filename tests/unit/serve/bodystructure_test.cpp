#include "serve/bodystructure.hpp"

#include <doctest/doctest.h>

#include <string>

#include "mime_samples.hpp"

using namespace mailprobe::serve;

namespace {

std::string bs(std::string_view m, bool extensible = true) {
  return render_body_structure(m, parse_mime(m), 0, extensible);
}

const std::string kNested = std::string(samples::kNestedHead) + samples::kInner + "\r\n--o--\r\n";

}  // namespace

TEST_SUITE("serve::bodystructure") {
  TEST_CASE("plain text without Content-Type: text/plain; charset=us-ascii, 7BIT, lines") {
    CHECK(bs(samples::kPlain) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)");
    CHECK(bs(samples::kPlain, false) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2)");
  }

  TEST_CASE("missing headers and bodies") {
    CHECK(bs("") == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL)");
    CHECK(bs("Subject: no body") == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL)");
    CHECK(bs("\r\nx") == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL)");
    // An invalid Content-Type falls back to the default (RFC 2045 §5.2); an image has no line count.
    CHECK(bs("Content-Type: text\r\n\r\nx\r\n") ==
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3 1 NIL NIL NIL NIL)");
    CHECK(bs("Content-Type: Image/GIF\r\nContent-Transfer-Encoding: Base64\r\n\r\nR0lG\r\n") ==
          "(\"IMAGE\" \"GIF\" NIL NIL NIL \"BASE64\" 6 NIL NIL NIL NIL)");
  }

  TEST_CASE("multipart/alternative: no space between bodies, boundary in the extension data") {
    CHECK(bs(samples::kAlternative) ==
          "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 11 2 NIL NIL NIL NIL)"
          "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 9 1 NIL NIL NIL NIL) \"ALTERNATIVE\" "
          "(\"BOUNDARY\" \"XX\") NIL NIL NIL)");
    CHECK(bs(samples::kAlternative, false) ==
          "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 11 2)"
          "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 9 1) \"ALTERNATIVE\")");
  }

  TEST_CASE("multipart/mixed with a base64 attachment: id, description, md5, disposition, language, location") {
    CHECK(bs(samples::kMixed) ==
          "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL)"
          "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") \"<c1@x>\" \"report\" \"BASE64\" 12 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
          "(\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) (\"en\" \"de\") \"http://x/r.pdf\") \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)");
  }

  TEST_CASE("message/rfc822 inside multipart/mixed: envelope, nested body, lines") {
    std::string inner_bs =
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)"
        "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 11 1 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"i\") NIL NIL NIL)";
    std::string inner_env =
        "(NIL \"inner\" ((NIL NIL \"inner\" \"y.test\")) ((NIL NIL \"inner\" \"y.test\")) ((NIL NIL \"inner\" \"y.test\")) "
        "NIL NIL NIL NIL NIL)";
    CHECK(bs(kNested) == "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL "
                         "\"7BIT\" 151 " + inner_env + " " + inner_bs + " 12 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"o\") NIL NIL NIL)");
    CHECK(bs(kNested, false) ==
          "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 12 1)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 151 " + inner_env +
              " ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 5 1)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 11 1) "
              "\"ALTERNATIVE\") 12) \"MIXED\")");
  }

  TEST_CASE("multipart/digest defaults its parts to message/rfc822 (RFC 2046 §5.1.5)") {
    CHECK(bs("Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: s\r\n\r\nx\r\n--d--\r\n") ==
          "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) "
          "\"DIGEST\" (\"BOUNDARY\" \"d\") NIL NIL NIL)");
  }

  TEST_CASE("unusable containers become APPLICATION/OCTET-STREAM leaves") {
    std::string leaf = "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"7BIT\" 3 NIL NIL NIL NIL)";
    CHECK(bs("Content-Type: multipart/mixed\r\n\r\nabc") == leaf);               // no boundary
    CHECK(bs("Content-Type: multipart/mixed; boundary=z\r\n\r\nabc") == leaf);   // no delimiter line
    CHECK(bs("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nabc") ==
          "(\"APPLICATION\" \"OCTET-STREAM\" NIL NIL NIL \"BASE64\" 3 NIL NIL NIL NIL)");
  }
}
