#pragma once

// Sample messages shared by the MIME, BODYSTRUCTURE and FETCH tests.

namespace mailprobe::serve::samples {

inline constexpr const char* kPlain =
    "From: \"Doe, John\" <john@example.org>\r\n"
    "To: alice@example.net, Bob <bob@example.net>\r\n"
    "Subject: Hello \"world\" \\o/\r\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n"
    "line one\r\nline two\r\n";

inline constexpr const char* kAlternative =
    "From: a@b.test\r\n"
    "Subject: alt\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "hi=\r\n there\r\n"
    "--XX\r\n"
    "Content-Type: text/html; charset=\"utf-8\"\r\n"
    "\r\n"
    "<p>hi</p>\r\n"
    "--XX--\r\n"
    "epilogue\r\n";

inline constexpr const char* kMixedPart2Header =
    "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
    "Content-ID: <c1@x>\r\n"
    "Content-Description: report\r\n"
    "Content-Language: en, de\r\n"
    "Content-Location: http://x/r.pdf\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "\r\n";

inline constexpr const char* kMixed =
    "From: a@b.test\r\n"
    "Subject: att\r\n"
    "Content-Type: multipart/mixed; boundary=b1 (a comment)\r\n"
    "\r\n"
    "--b1\r\n"
    "\r\n"
    "text\r\n"
    "--b1  \r\n"
    "Content-Type: application/pdf; name=\"r.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
    "Content-ID: <c1@x>\r\n"
    "Content-Description: report\r\n"
    "Content-Language: en, de\r\n"
    "Content-Location: http://x/r.pdf\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b1--\r\n";

inline constexpr const char* kInner =
    "From: inner@y.test\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=i\r\n"
    "\r\n"
    "--i\r\n"
    "\r\n"
    "plain\r\n"
    "--i\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<b>html</b>\r\n"
    "--i--";

inline constexpr const char* kNestedHead =
    "From: outer@x.test\r\n"
    "Subject: fwd\r\n"
    "Content-Type: multipart/mixed; boundary=\"o\"\r\n"
    "\r\n"
    "--o\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--o\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n";

}  // namespace mailprobe::serve::samples
