#include "base/markup.hpp"

#include <cstdint>

namespace tfqkd {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

unsigned byte_at(std::string_view text, std::size_t i) noexcept { return static_cast<unsigned char>(text[i]); }

// The length of the well-formed UTF-8 sequence starting at text[i] (2 to 4), or, when there is none,
// minus the length of its maximal ill-formed subpart (at least 1): the Unicode standard's table 3-7
// of well-formed byte sequences, which excludes overlong forms, surrogates and values past U+10FFFF.
int multibyte_length(std::string_view text, std::size_t i) noexcept {
    const unsigned lead = byte_at(text, i);
    int length = 0;
    unsigned low = 0x80;   // the range of the second byte, which the lead narrows
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;        // overlong
        else if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;        // overlong
        else if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
        return -1;  // a continuation byte, C0, C1 or F5..FF: never a lead
    }
    for (int k = 1; k < length; ++k) {
        const std::size_t at = i + static_cast<std::size_t>(k);
        if (at >= text.size()) return -k;
        const unsigned b = byte_at(text, at);
        if (b < (k == 1 ? low : 0x80U) || b > (k == 1 ? high : 0xBFU)) return -k;
    }
    return length;
}

}  // namespace

void append_markup_escaped(std::string& out, std::string_view text) {
    out.reserve(out.size() + text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned c = byte_at(text, i);
        if (c < 0x80) {
            switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                case '\t':
                case '\n': out += static_cast<char>(c); break;
                default:
                    if (c < 0x20 || c == 0x7F) out += kReplacement;
                    else out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const int length = multibyte_length(text, i);
        if (length < 0) {
            out += kReplacement;
            i += static_cast<std::size_t>(-length);
            continue;
        }
        const std::string_view sequence = text.substr(i, static_cast<std::size_t>(length));
        const bool c1_control = c == 0xC2 && byte_at(text, i + 1) < 0xA0;  // U+0080..U+009F
        const bool nonchar = sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF";  // U+FFFE, U+FFFF
        if (c1_control || nonchar) out += kReplacement;
        else out += sequence;
        i += static_cast<std::size_t>(length);
    }
}

std::string markup_escape(std::string_view text) {
    std::string out;
    append_markup_escaped(out, text);
    return out;
}

}  // namespace tfqkd
