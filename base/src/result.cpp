#include "base/result.hpp"

#include <array>

namespace tfqkd {
namespace {

struct ErrcName {
    Errc code;
    std::string_view name;
};

// The names are part of the vector-file format (docs/wire-format.md, "Error codes"): never rename.
constexpr std::array<ErrcName, 15> kErrcNames{{
    {Errc::truncated, "truncated"},
    {Errc::trailing_data, "trailing_data"},
    {Errc::out_of_range, "out_of_range"},
    {Errc::non_canonical, "non_canonical"},
    {Errc::bad_magic, "bad_magic"},
    {Errc::unsupported_version, "unsupported_version"},
    {Errc::unknown_type, "unknown_type"},
    {Errc::invalid_value, "invalid_value"},
    {Errc::not_increasing, "not_increasing"},
    {Errc::length_mismatch, "length_mismatch"},
    {Errc::bad_route, "bad_route"},
    {Errc::inconsistent, "inconsistent"},
    {Errc::io, "io"},
    {Errc::parse, "parse"},
    {Errc::invalid_argument, "invalid_argument"},
}};

}  // namespace

std::string_view errc_name(Errc code) noexcept {
    for (const auto& entry : kErrcNames)
        if (entry.code == code) return entry.name;
    return "unknown_error";
}

std::optional<Errc> errc_from_name(std::string_view name) noexcept {
    for (const auto& entry : kErrcNames)
        if (entry.name == name) return entry.code;
    return std::nullopt;
}

std::string Error::to_string() const {
    std::string text;
    text.append(message.empty() ? std::string_view("input") : message);
    if (!field.empty()) {
        text.push_back('.');
        text.append(field);
    }
    text.append(": ");
    text.append(errc_name(code));
    if (offset != 0) {
        text.append(" at byte ");
        text.append(std::to_string(offset));
    }
    if (!detail.empty()) {
        text.append(" (");
        text.append(detail);
        text.push_back(')');
    }
    return text;
}

}  // namespace tfqkd
