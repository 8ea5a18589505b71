// The shim contract's files: conformance/shim.hpp, docs/vendor-guide.md section 7.
#include "conformance/shim.hpp"

#include <cmath>
#include <fstream>
#include <iterator>

#include "hardware_model/scenario.hpp"
#include "protocol/wire/json.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::conformance::shim {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// "FILE: FIELD what": the whole sentence goes in the detail, since an Error's message and field
// are static names and these are a file's path and a JSON path.
Error input_error(std::string_view file, std::string_view field, std::string_view what) {
    std::string where(file);
    if (!field.empty()) where += (where.empty() ? "" : ": ") + std::string(field);
    return make_error(Errc::invalid_value, "shim", "", where + (where.empty() ? "" : " ") + std::string(what));
}

// The reader of one JSON object: every access names the file and the field in its error, and keys
// the format does not know are refused (a misspelt key must not be ignored).
class Fields {
public:
    Fields(const json& object, std::string_view file, std::string prefix)
        : object_(object), file_(file), prefix_(std::move(prefix)) {}

    std::string path(std::string_view key) const { return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key); }

    Result<const json*> get(std::string_view key, bool required = true) const {
        const auto it = object_.find(std::string(key));
        if (it == object_.end()) {
            if (!required) return static_cast<const json*>(nullptr);
            return input_error(file_, path(key), "is missing");
        }
        return &*it;
    }

    Result<std::uint64_t> u64(std::string_view key, bool required = true, std::uint64_t fallback = 0) const {
        auto v = get(key, required);
        if (!v) return v.error();
        if (*v == nullptr) return fallback;
        if (!(*v)->is_number_unsigned()) return input_error(file_, path(key), "must be an integer from 0 to 2^64 - 1");
        return (*v)->get<std::uint64_t>();
    }

    Result<double> number(std::string_view key, double low, double high) const {
        auto v = get(key);
        if (!v) return v.error();
        if (!(*v)->is_number()) return input_error(file_, path(key), "must be a number");
        const double x = (*v)->get<double>();
        if (!std::isfinite(x) || x < low || x > high)
            return input_error(file_, path(key),
                               "must be a finite number from " + std::to_string(low) + " to " + std::to_string(high));
        return x;
    }

    Result<std::string> string(std::string_view key, bool required = true) const {
        auto v = get(key, required);
        if (!v) return v.error();
        if (*v == nullptr) return std::string();
        if (!(*v)->is_string()) return input_error(file_, path(key), "must be a string");
        return (*v)->get<std::string>();
    }

    Status only(std::initializer_list<std::string_view> known) const {
        for (const auto& [key, value] : object_.items()) {
            bool ok = false;
            for (auto k : known) ok = ok || k == key;
            if (!ok) {
                std::string list;
                for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                return input_error(file_, path(key), "is not a field of this object (accepted: " + list + ")");
            }
        }
        return {};
    }

private:
    const json& object_;
    std::string_view file_;
    std::string prefix_;
};

Result<json> parse_object(std::string_view text, std::string_view file) {
    auto parsed = hardware_model::scenario::parse_json(text);
    if (const auto* bad = std::get_if<hardware_model::scenario::InputError>(&parsed))
        return input_error(file, bad->path, bad->message);
    auto& j = std::get<json>(parsed);
    if (!j.is_object()) return input_error(file, "", "must hold one JSON object");
    return std::move(j);
}

Status check_format(const Fields& f, std::string_view file, std::string_view expected) {
    auto format = f.string("format");
    if (!format) return format.error();
    if (*format != expected)
        return input_error(file, "format", "is \"" + *format + "\"; this harness reads \"" + std::string(expected) + "\"");
    return {};
}

Result<SecretBits> pool_from_hex(const Fields& f, std::string_view file, std::string_view key, std::uint64_t bits) {
    auto hex = f.string(key);
    if (!hex) return hex.error();
    auto bytes = from_hex(*hex, f.path(key));
    if (!bytes) return input_error(file, f.path(key), "must be lower-case hex of the pool's bytes");
    if (bytes->size() != (bits + 7) / 8)
        return input_error(file, f.path(key), "holds " + std::to_string(bytes->size()) + " bytes; pools.bits = " +
                                                std::to_string(bits) + " needs " + std::to_string((bits + 7) / 8));
    SecretBits out(bits);
    std::copy(bytes->begin(), bytes->end(), out.reveal_mutable().begin());
    secure_wipe(bytes->data(), bytes->size());
    if (bits % 8 != 0) {
        Byte& last = out.reveal_mutable()[out.reveal().size() - 1];
        last = static_cast<Byte>(last & static_cast<Byte>(0xFF00U >> (bits % 8)));
    }
    return out;
}

void put_be(Byte* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<Byte>(v & 0xFF);
}

std::uint64_t get_be(const Byte* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
}

Result<Bytes> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return input_error(path, "", "cannot be read");
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Result<void> write_file(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) return input_error(path, "", "cannot be written");
    return {};
}

// The records of a choices or detections file, after the checks both share.
Result<Bytes> read_records(const std::string& path, std::uint64_t expected) {
    auto bytes = read_file(path);
    if (!bytes) return bytes.error();
    if (bytes->size() % kRecordSize != 0)
        return input_error(path, "", "holds " + std::to_string(bytes->size()) + " bytes, not a whole number of " +
                                         std::to_string(kRecordSize) + "-byte records");
    if (bytes->size() / kRecordSize != expected)
        return input_error(path, "", "holds " + std::to_string(bytes->size() / kRecordSize) + " records; the config says " +
                                         std::to_string(expected));
    for (std::size_t r = 0; r < expected; ++r) {
        const Byte* p = bytes->data() + r * kRecordSize;
        if (r > 0 && get_be(p, 8) <= get_be(p - kRecordSize, 8))
            return input_error(path, "record " + std::to_string(r) + ".slot", "slots must increase strictly");
    }
    return bytes;
}

}  // namespace

std::optional<wire::Role> role_from_name(std::string_view name) noexcept {
    for (auto r : {wire::Role::alice, wire::Role::bob, wire::Role::charlie})
        if (wire::role_name(r) == name) return r;
    return std::nullopt;
}

std::optional<wire::Abort::Reason> reason_from_name(std::string_view name) noexcept {
    for (std::uint16_t code = 1; code <= 13; ++code) {
        const auto reason = static_cast<wire::Abort::Reason>(code);
        if (wire::reason_name(reason) == name) return reason;
    }
    return std::nullopt;
}

Result<Config> parse_config(std::string_view text, std::string_view file) {
    auto j = parse_object(text, file);
    if (!j) return j.error();
    const Fields f(*j, file, "");
    if (auto ok = f.only({"format", "role", "session_id", "session_params", "session_params_decoded", "eps_smooth",
                          "cascade_qber_estimate", "timeout_ms", "choices", "random_seed", "pools", "detections",
                          "events_per_report"});
        !ok)
        return ok.error();
    if (auto ok = check_format(f, file, kConfigFormat); !ok) return ok.error();
    Config c;
    auto role = f.string("role");
    if (!role) return role.error();
    const auto r = role_from_name(*role);
    if (!r) return input_error(file, "role", "is \"" + *role + "\"; accepted: alice, bob, charlie");
    c.role = *r;
    auto session_id = f.u64("session_id");
    if (!session_id) return session_id.error();
    c.session_id = *session_id;
    auto params_hex = f.string("session_params");
    if (!params_hex) return params_hex.error();
    auto payload = from_hex(*params_hex, "session_params");
    if (!payload) return input_error(file, "session_params", "must be hex of an encoded session_params payload");
    auto message = wire::decode_message(wire::MessageType::session_params, *payload);
    if (!message) return input_error(file, "session_params", "does not decode: " + message.error().to_string());
    c.params = std::get<wire::SessionParams>(*message);
    auto eps = f.number("eps_smooth", 0x1p-1000, 1);
    if (!eps) return eps.error();
    c.eps_smooth = *eps;
    auto qber = f.number("cascade_qber_estimate", 1e-6, 0.5);
    if (!qber) return qber.error();
    c.cascade_qber_estimate = *qber;
    auto timeout = f.u64("timeout_ms");
    if (!timeout) return timeout.error();
    if (*timeout == 0 || *timeout > 3'600'000) return input_error(file, "timeout_ms", "must be from 1 to 3600000");
    c.timeout_ms = *timeout;
    if (c.role == wire::Role::charlie) {
        auto d = f.get("detections");
        if (!d) return d.error();
        if (!(*d)->is_object()) return input_error(file, "detections", "must be an object {file, records}");
        const Fields df(**d, file, "detections");
        if (auto ok = df.only({"file", "records"}); !ok) return ok.error();
        auto path = df.string("file");
        if (!path) return path.error();
        auto records = df.u64("records");
        if (!records) return records.error();
        c.detections_file = *path;
        c.detection_records = *records;
        auto per_report = f.u64("events_per_report");
        if (!per_report) return per_report.error();
        if (*per_report == 0) return input_error(file, "events_per_report", "must be at least 1");
        c.events_per_report = *per_report;
        return c;
    }
    auto ch = f.get("choices");
    if (!ch) return ch.error();
    if (!(*ch)->is_object()) return input_error(file, "choices", "must be an object {file, records, choice_seed}");
    const Fields cf(**ch, file, "choices");
    if (auto ok = cf.only({"file", "records", "choice_seed"}); !ok) return ok.error();
    auto path = cf.string("file");
    if (!path) return path.error();
    auto records = cf.u64("records");
    if (!records) return records.error();
    auto seed = cf.u64("choice_seed");
    if (!seed) return seed.error();
    c.choices_file = *path;
    c.choice_records = *records;
    c.choice_seed = *seed;
    auto random = f.u64("random_seed");
    if (!random) return random.error();
    c.random_seed = *random;
    auto pools = f.get("pools");
    if (!pools) return pools.error();
    if (!(*pools)->is_object()) return input_error(file, "pools", "must be an object {bits, alice_to_bob, bob_to_alice}");
    const Fields pf(**pools, file, "pools");
    if (auto ok = pf.only({"bits", "alice_to_bob", "bob_to_alice"}); !ok) return ok.error();
    auto bits = pf.u64("bits");
    if (!bits) return bits.error();
    if (*bits == 0 || *bits > (1ULL << 30)) return input_error(file, "pools.bits", "must be from 1 to 2^30");
    auto a2b = pool_from_hex(pf, file, "alice_to_bob", *bits);
    if (!a2b) return a2b.error();
    auto b2a = pool_from_hex(pf, file, "bob_to_alice", *bits);
    if (!b2a) return b2a.error();
    c.pools.alice_to_bob = std::move(*a2b);
    c.pools.bob_to_alice = std::move(*b2a);
    return c;
}

ordered_json config_json(const Config& c) {
    ordered_json j;
    j["format"] = kConfigFormat;
    j["role"] = wire::role_name(c.role);
    j["session_id"] = c.session_id;
    auto payload = wire::encode_message(wire::Message{c.params});
    j["session_params"] = payload ? to_hex(*payload) : std::string();
    j["session_params_decoded"] = wire::to_json(wire::Message{c.params});
    j["eps_smooth"] = c.eps_smooth;
    j["cascade_qber_estimate"] = c.cascade_qber_estimate;
    j["timeout_ms"] = c.timeout_ms;
    if (c.role == wire::Role::charlie) {
        j["detections"] = {{"file", c.detections_file}, {"records", c.detection_records}};
        j["events_per_report"] = c.events_per_report;
    } else {
        j["choices"] = {{"file", c.choices_file}, {"records", c.choice_records}, {"choice_seed", c.choice_seed}};
        j["random_seed"] = c.random_seed;
        j["pools"] = {{"bits", c.pools.alice_to_bob.size()},
                      {"alice_to_bob", to_hex(c.pools.alice_to_bob.reveal())},
                      {"bob_to_alice", to_hex(c.pools.bob_to_alice.reveal())}};
    }
    return j;
}

Result<std::vector<SlotRecord>> read_choices(const std::string& path, std::uint64_t expected) {
    auto bytes = read_records(path, expected);
    if (!bytes) return bytes.error();
    std::vector<SlotRecord> out(expected);
    for (std::size_t r = 0; r < expected; ++r) {
        const Byte* p = bytes->data() + r * kRecordSize;
        out[r].slot = get_be(p, 8);
        out[r].setting = p[8];
        out[r].bit = p[9];
        out[r].slice = static_cast<std::uint16_t>(get_be(p + 10, 2));
        if (out[r].bit > 1) return input_error(path, "record " + std::to_string(r) + ".bit", "must be 0 or 1");
        if (get_be(p + 12, 4) != 0)
            return input_error(path, "record " + std::to_string(r) + ".reserved", "must be zero");
    }
    return out;
}

Result<void> write_choices(const std::string& path, const std::vector<SlotRecord>& records) {
    Bytes bytes(records.size() * kRecordSize, 0);
    for (std::size_t r = 0; r < records.size(); ++r) {
        Byte* p = bytes.data() + r * kRecordSize;
        put_be(p, records[r].slot, 8);
        p[8] = records[r].setting;
        p[9] = records[r].bit;
        put_be(p + 10, records[r].slice, 2);
    }
    return write_file(path, bytes);
}

Result<std::vector<party::Detection>> read_detections(const std::string& path, std::uint64_t expected) {
    auto bytes = read_records(path, expected);
    if (!bytes) return bytes.error();
    std::vector<party::Detection> out(expected);
    for (std::size_t r = 0; r < expected; ++r) {
        const Byte* p = bytes->data() + r * kRecordSize;
        out[r].slot = get_be(p, 8);
        if (p[8] < 1 || p[8] > 3)
            return input_error(path, "record " + std::to_string(r) + ".click", "must be 1 (left), 2 (right) or 3 (both)");
        out[r].click = static_cast<wire::DetectionReport::Click>(p[8]);
        for (std::size_t k = 9; k < kRecordSize; ++k)
            if (p[k] != 0) return input_error(path, "record " + std::to_string(r) + ".reserved", "must be zero");
    }
    return out;
}

Result<void> write_detections(const std::string& path, const std::vector<party::Detection>& detections) {
    Bytes bytes(detections.size() * kRecordSize, 0);
    for (std::size_t r = 0; r < detections.size(); ++r) {
        Byte* p = bytes.data() + r * kRecordSize;
        put_be(p, detections[r].slot, 8);
        p[8] = static_cast<Byte>(detections[r].click);
    }
    return write_file(path, bytes);
}

Result<Outcome> parse_outcome(std::string_view text, std::string_view file) {
    auto j = parse_object(text, file);
    if (!j) return j.error();
    const Fields f(*j, file, "");
    if (auto ok = f.only({"format", "role", "state", "key", "claim", "abort"}); !ok) return ok.error();
    if (auto ok = check_format(f, file, kOutcomeFormat); !ok) return ok.error();
    Outcome o;
    auto role = f.string("role");
    if (!role) return role.error();
    const auto r = role_from_name(*role);
    if (!r) return input_error(file, "role", "is \"" + *role + "\"; accepted: alice, bob, charlie");
    o.role = *r;
    auto state = f.string("state");
    if (!state) return state.error();
    if (*state != "done" && *state != "aborted")
        return input_error(file, "state", "is \"" + *state + "\"; accepted: done, aborted");
    o.done = *state == "done";
    if (!o.done) {
        auto a = f.get("abort");
        if (!a) return a.error();
        if (!(*a)->is_object()) return input_error(file, "abort", "must be an object {reason, detail}");
        const Fields af(**a, file, "abort");
        if (auto ok = af.only({"reason", "detail"}); !ok) return ok.error();
        auto reason = af.string("reason");
        if (!reason) return reason.error();
        if (!reason_from_name(*reason))
            return input_error(file, "abort.reason", "is \"" + *reason + "\"; accepted: a reason of docs/protocol.md section 4");
        o.reason = *reason;
        auto detail = af.string("detail", false);
        if (!detail) return detail.error();
        o.detail = *detail;
        if (auto k = f.get("key", false); k && *k != nullptr)
            return input_error(file, "key", "an aborted party has no key");
        return o;
    }
    if (o.role == wire::Role::charlie) return o;
    auto k = f.get("key");
    if (!k) return k.error();
    if (!(*k)->is_object()) return input_error(file, "key", "must be an object");
    const Fields kf(**k, file, "key");
    if (auto ok = kf.only({"bits", "sha256", "session_id", "block_id", "pool_bits", "reconciled_bits", "leaked_bits",
                           "epsilon"});
        !ok)
        return ok.error();
    auto bits = kf.u64("bits");
    if (!bits) return bits.error();
    o.key_bits = *bits;
    auto digest = kf.string("sha256");
    if (!digest) return digest.error();
    if (digest->size() != 64 || digest->find_first_not_of("0123456789abcdef") != std::string::npos)
        return input_error(file, "key.sha256", "must be 64 lower-case hex digits");
    o.key_sha256 = *digest;
    auto& m = o.metadata;
    m.length_bits = o.key_bits;
    for (auto [key, out] : {std::pair{"session_id", &m.session_id}, std::pair{"block_id", &m.block_id},
                            std::pair{"pool_bits", &m.pool_bits}, std::pair{"reconciled_bits", &m.reconciled_bits},
                            std::pair{"leaked_bits", &m.leaked_bits}}) {
        auto v = kf.u64(key);
        if (!v) return v.error();
        *out = *v;
    }
    auto eps = kf.get("epsilon", false);
    if (!eps) return eps.error();
    if (*eps != nullptr) {
        if (!(*eps)->is_object()) return input_error(file, "key.epsilon", "must be an object");
        const Fields ef(**eps, file, "key.epsilon");
        if (auto ok = ef.only({"correctness", "secrecy", "parameter_estimation", "authentication"}); !ok) return ok.error();
        for (auto [key, out] : {std::pair{"correctness", &m.epsilon.correctness}, std::pair{"secrecy", &m.epsilon.secrecy},
                                std::pair{"parameter_estimation", &m.epsilon.parameter_estimation},
                                std::pair{"authentication", &m.epsilon.authentication}}) {
            auto v = ef.number(key, 0, 1);
            if (!v) return v.error();
            *out = *v;
        }
    }
    auto claim = f.get("claim", false);
    if (!claim) return claim.error();
    if (*claim != nullptr) {
        if (!(*claim)->is_object()) return input_error(file, "claim", "must be an object in tfqkd keyrate's certify form");
        o.claim = **claim;
    }
    return o;
}

ordered_json outcome_json(const Outcome& o) {
    ordered_json j;
    j["format"] = kOutcomeFormat;
    j["role"] = wire::role_name(o.role);
    j["state"] = o.done ? "done" : "aborted";
    if (!o.done) {
        j["abort"] = {{"reason", o.reason}, {"detail", o.detail}};
        return j;
    }
    if (o.role == wire::Role::charlie) return j;
    const auto& m = o.metadata;
    j["key"] = {{"bits", o.key_bits},
                {"sha256", o.key_sha256},
                {"session_id", m.session_id},
                {"block_id", m.block_id},
                {"pool_bits", m.pool_bits},
                {"reconciled_bits", m.reconciled_bits},
                {"leaked_bits", m.leaked_bits},
                {"epsilon",
                 {{"correctness", m.epsilon.correctness},
                  {"secrecy", m.epsilon.secrecy},
                  {"parameter_estimation", m.epsilon.parameter_estimation},
                  {"authentication", m.epsilon.authentication}}}};
    if (o.claim) j["claim"] = *o.claim;
    return j;
}

}  // namespace tfqkd::conformance::shim
