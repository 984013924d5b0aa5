#include "serve/bodystructure.hpp"

#include "core/slice.hpp"

#include "serve/envelope.hpp"
#include "serve/imap_parser.hpp"

namespace mailprobe::serve {

namespace {

using imap::quote;

/// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
std::string params(const std::vector<MimeParam>& ps) {
  if (ps.empty()) return "NIL";
  std::string out = "(";
  for (const auto& p : ps) {
    if (out.size() > 1) out += ' ';
    out += quote(p.name) + " " + quote(p.value);
  }
  return out + ")";
}

/// body-fld-dsp SP body-fld-lang SP body-fld-loc, shared by both extension forms.
std::string dsp_lang_loc(const MimePart& p) {
  std::string out = p.disposition ? "(" + quote(*p.disposition) + " " + params(p.disposition_params) + ")" : "NIL";
  out += ' ';
  if (p.language.empty()) {
    out += "NIL";
  } else if (p.language.size() == 1) {
    out += quote(p.language.front());
  } else {
    out += '(';
    for (std::size_t i = 0; i < p.language.size(); ++i) out += (i ? " " : "") + quote(p.language[i]);
    out += ')';
  }
  return out + " " + imap_nstring(p.location);
}

}  // namespace

std::string render_body_structure(std::string_view message, const MimeTree& tree, std::size_t index,
                                  bool extensible) {
  const MimePart& p = tree.parts[index];
  std::string out = "(";
  if (p.shape == MimePart::Shape::multipart) {
    // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]; no space between bodies.
    for (std::size_t c : p.children) out += render_body_structure(message, tree, c, extensible);
    out += " " + quote(p.subtype);
    if (extensible) out += " " + params(p.params) + " " + dsp_lang_loc(p);
    return out + ")";
  }
  std::string_view body = slice(message, p.body, p.end - p.body);
  // body-fields = param SP id SP desc SP enc SP octets
  out += quote(p.type) + " " + quote(p.subtype) + " " + params(p.params) + " " + imap_nstring(p.id) + " " +
         imap_nstring(p.description) + " " + quote(p.encoding) + " " + std::to_string(body.size());
  if (p.shape == MimePart::Shape::message) {
    // body-type-msg: ... SP envelope SP body SP body-fld-lines
    const MimePart& inner = tree.parts[p.children.front()];
    out += " " + render_envelope(slice(message, inner.begin, inner.end - inner.begin)) + " " +
           render_body_structure(message, tree, p.children.front(), extensible) + " " +
           std::to_string(count_lines(body));
  } else if (p.type == "TEXT") {
    out += " " + std::to_string(count_lines(body));
  }
  if (extensible) out += " " + imap_nstring(p.md5) + " " + dsp_lang_loc(p);
  return out + ")";
}

}  // namespace mailprobe::serve
