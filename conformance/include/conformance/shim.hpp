// The shim contract: how the harness runs a vendor's executable as Alice, Bob or Charlie, and what
// the executable gives back (docs/vendor-guide.md section 7, the normative text; schemas
// docs/schemas/shim-config.schema.json and shim-outcome.schema.json).
//
//   SHIM --role alice|bob|charlie --config FILE.json --fd N --outcome FILE.json
//   SHIM --capabilities          (prints a JSON object of the roles and families it plays)
//
// The shim speaks the wire format (docs/wire-format.md) over one stream socket, inherited as file
// descriptor N: frames to either of the other two roles go out on it, and frames from both arrive on
// it, each routed by its header's receiver and sender. The harness sits behind the socket and plays
// the other two parties and the network. Exit code 89 means "not implemented" (a role or family the
// shim does not play), 0 an outcome written, anything else a failure of the shim.
//
// The optical part is simulated by the harness. It gives Alice and Bob the per-slot choices their
// devices made (a choices file), and gives Charlie the clicks of his detectors (a detections file).
// Both files hold fixed 16-byte big-endian records, sorted by slot (section 7.3 of the guide).
//
// This header is shared by the harness (which writes configs and reads outcomes) and by the
// reference shim (which does the opposite), so the two cannot disagree about the format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "base/secret.hpp"
#include "protocol/party/party.hpp"
#include "protocol/postprocessing/key.hpp"
#include "protocol/wire/abort.hpp"
#include "protocol/wire/session_params.hpp"
#include "protocol/wire/types.hpp"

namespace tfqkd::conformance::shim {

inline constexpr int kExitNotImplemented = 89;
inline constexpr std::string_view kConfigFormat = "tfqkd-shim-config/1";
inline constexpr std::string_view kOutcomeFormat = "tfqkd-shim-outcome/1";
inline constexpr std::size_t kRecordSize = 16;  // bytes per record of a choices or detections file

// One record of a choices file: what the party's device did in one slot (security::SlotChoice
// without the phase itself, which only the optical simulation needs).
struct SlotRecord {
    std::uint64_t slot = 0;
    std::uint8_t setting = 0;  // index into the party's settings of session_params
    std::uint8_t bit = 0;      // PM and CAL19 key-mode slots: the key bit sent as a phase; 0 otherwise
    std::uint16_t slice = 0;   // the random phase's slice in [0, M)
    bool operator==(const SlotRecord&) const = default;
};

struct Config {
    wire::Role role = wire::Role::alice;
    std::uint64_t session_id = 0;
    // Alice proposes these; Bob accepts exactly these (anything else is a parameter_mismatch);
    // Charlie learns the block from Alice's proposal and is given them for reference only.
    wire::SessionParams params;
    double eps_smooth = 1e-10;             // not on the wire; both ends use it
    double cascade_qber_estimate = 0.02;   // Cascade's block sizes; both ends use it
    std::uint64_t timeout_ms = 10'000;     // abort with `timeout` after this long without a frame
    // Alice and Bob.
    std::string choices_file;              // absolute path
    std::uint64_t choice_records = 0;
    // The seed of tfqkd's reference choice generator (security::ChoiceSource) that made the
    // file: a shim built on tfqkd's library may use it instead of the file; a vendor reads the file.
    std::uint64_t choice_seed = 0;
    // The seed of a simulation's other randomness (AOPP pairing, hash seeds): the reference shim
    // uses it so that runs reproduce; a vendor may use its own generator.
    std::uint64_t random_seed = 0;
    party::PeerPools pools;                // both directions' pre-shared authentication pools
    // Charlie.
    std::string detections_file;           // absolute path
    std::uint64_t detection_records = 0;
    std::uint64_t events_per_report = 1U << 16;
};

// Parses a config file's text. Errors name `file`, the field (a JSON path) and what is accepted.
Result<Config> parse_config(std::string_view text, std::string_view file);
// The config as JSON (the pools in hex: the file is a test fixture, not a deployment's key store).
nlohmann::ordered_json config_json(const Config& config);

// Choices and detections files. Readers check the size (a whole number of records, `expected` of
// them), the order (slots strictly increasing), the reserved bytes (zero) and the values (a click
// is 1, 2 or 3); errors name the file, the record and the field.
Result<std::vector<SlotRecord>> read_choices(const std::string& path, std::uint64_t expected);
Result<void> write_choices(const std::string& path, const std::vector<SlotRecord>& records);
Result<std::vector<party::Detection>> read_detections(const std::string& path, std::uint64_t expected);
Result<void> write_detections(const std::string& path, const std::vector<party::Detection>& detections);

// What the shim reports at the end: its key's digest and metadata, or why it aborted.
struct Outcome {
    wire::Role role = wire::Role::alice;
    bool done = false;  // a key (Alice, Bob) or a finished block (Charlie); otherwise aborted
    // done, Alice and Bob:
    std::uint64_t key_bits = 0;
    std::string key_sha256;  // lower-case hex of SHA-256 over the key's bytes (bits MSB first, zero-padded)
    pp::KeyMetadata metadata;
    // The statistics the key's length was certified from, in `tfqkd keyrate`'s certify form
    // ({"protocol", "security", "counts"}, docs/keyrate.md), with the measured leakage; absent if
    // the shim does not report them (the key-length claim tests are then not_implemented).
    std::optional<nlohmann::json> claim;
    // aborted:
    std::string reason;  // an abort reason of docs/protocol.md section 4 ("authentication_failed")
    std::string detail;
};

Result<Outcome> parse_outcome(std::string_view text, std::string_view file);
nlohmann::ordered_json outcome_json(const Outcome& outcome);

// The role named "alice", "bob" or "charlie" (wire::role_name's names).
std::optional<wire::Role> role_from_name(std::string_view name) noexcept;
// The abort reason of docs/protocol.md section 4 with that name (wire::reason_name's names).
std::optional<wire::Abort::Reason> reason_from_name(std::string_view name) noexcept;

}  // namespace tfqkd::conformance::shim
