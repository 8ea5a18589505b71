// Text inside markup: the one escaping function of the XML, HTML and SVG writers (the conformance
// report's JUnit and HTML forms, the command's SVG pictures).
#pragma once

#include <string>
#include <string_view>

namespace tfqkd {

// Appends `text` to `out` so that it reads back as the same text when placed as character data, or
// inside a double-quoted attribute value, of an XML 1.0, HTML5 or SVG document:
//   - & < > " become &amp; &lt; &gt; &quot;. The apostrophe is left as it is: every writer of the
//     project quotes its attributes with ", never with '.
//   - Characters a document cannot carry become U+FFFD (the replacement character): the C0 controls
//     but tab and line feed (XML 1.0 has no way to write them, not even as references), DEL and the
//     C1 controls (parse errors in HTML), and the noncharacters U+FFFE and U+FFFF (not XML Chars).
//   - Bytes that are not well-formed UTF-8 become U+FFFD, one per maximal ill-formed subpart (the
//     Unicode standard's practice, also the WHATWG decoder's), so that a page or an XML file
//     stays well-formed whatever bytes a vendor's library printed.
// Well-formed UTF-8 text without those characters is copied unchanged apart from the four entities.
// The output never holds a "<" or a quote of the input, so it cannot close a tag or an attribute.
// It is not for the inside of <script> or <style>, whose content is not parsed for entities.
void append_markup_escaped(std::string& out, std::string_view text);

// The same, as a new string.
std::string markup_escape(std::string_view text);

}  // namespace tfqkd
