// How the JSON readers of this layer (profile.cpp, scenario.cpp) name paths and values in their
// error messages, so that both read alike. Private to hardware_model/src.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace tfqkd::hardware_model::json_text {

// "a.b" from the path "a" and the key "b" ("b" at the top level).
inline std::string child(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// A JSON value as a person would recognise it in the file, cut to 60 characters.
inline std::string show(const nlohmann::json& j) {
    std::string text = j.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

// What a value is, for "expected ..., got <describe>".
inline std::string describe(const nlohmann::json& j) {
    using value_t = nlohmann::json::value_t;
    switch (j.type()) {
        case value_t::null: return "null";
        case value_t::boolean: return j.get<bool>() ? "true" : "false";
        case value_t::string: return "the string " + show(j);
        case value_t::array: return "an array";
        case value_t::object: return "an object";
        default: return "the number " + show(j);
    }
}

}  // namespace tfqkd::hardware_model::json_text
