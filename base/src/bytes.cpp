#include "base/bytes.hpp"

namespace tfqkd {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string to_hex(ByteSpan data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * data.size());
    for (Byte b : data) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0x0f]);
    }
    return out;
}

Result<Bytes> from_hex(std::string_view hex, std::string_view what) {
    if (hex.size() % 2 != 0)
        return make_error(Errc::parse, what, "", "hex string has an odd number of digits");
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return make_error(Errc::parse, what, "",
                              "not a hex digit at position " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1) +
                                  " (accepted: 0-9, a-f, A-F)");
        out[i] = static_cast<Byte>((hi << 4) | lo);
    }
    return out;
}

}  // namespace tfqkd
