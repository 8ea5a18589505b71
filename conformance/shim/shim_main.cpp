// The reference shim: tfqkd's own parties behind the shim contract (conformance/shim.hpp,
// docs/vendor-guide.md section 7). It is what the harness is tested with (it must pass every test)
// and a worked example for vendors: the loop below is all a shim adds to an implementation.
//
// One thread, one socket: frames are read by their header's length (wire::frame_size) and handed to
// the party with the sender their header names; everything the party sends goes out on the same
// socket, whatever its receiver (the harness routes it). Time is the monotonic clock; the party's
// own timeout ends a silent session.
#include "shim_main.hpp"

#include <fcntl.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "conformance/shim.hpp"
#include "hardware_model/scenario.hpp"
#include "protocol/wire/frame.hpp"
#include "security/choices.hpp"

namespace tfqkd::conformance::shim {

namespace {

using party::State;
using wire::Role;

constexpr int kExitUsage = 2;     // bad flags, config or files: the harness's bug, not the protocol's
constexpr int kExitFailure = 1;   // the socket or the outcome file failed

bool terminal(State s) { return s == State::done || s == State::aborted; }

std::uint64_t now_ns() {
    static const auto start = std::chrono::steady_clock::now();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

int usage_error(const std::string& what) {
    std::cerr << "tfqkd reference shim: " << what << "\n";
    return kExitUsage;
}

// The file's choices must be the ones the reference generator gives for its seed: this shim uses
// the generator (its parties look choices up by slot), so a file that disagrees is refused rather
// than silently ignored. It also checks the harness: every choices file it writes passes here.
Status check_choices(const Config& c, const security::ProtocolParameters& protocol) {
    auto records = read_choices(c.choices_file, c.choice_records);
    if (!records) return records.error();
    auto source = security::ChoiceSource::create(
        protocol, c.role == Role::alice ? security::Party::alice : security::Party::bob, c.choice_seed);
    if (!source) return source.error();
    for (std::size_t r = 0; r < records->size(); ++r) {
        const auto& rec = (*records)[r];
        const auto choice = source->at(rec.slot);
        if (choice.setting != rec.setting || choice.bit != rec.bit || choice.slice != rec.slice)
            return make_error(Errc::inconsistent, "shim", "",
                              c.choices_file + ": record " + std::to_string(r) + " (slot " + std::to_string(rec.slot) +
                                  ") differs from choices.choice_seed's choice");
    }
    return {};
}

// The party behind the socket, whichever role it plays.
class Player {
public:
    virtual ~Player() = default;
    virtual void start(std::uint64_t) {}
    virtual void receive(Role from, ByteSpan frame, std::uint64_t now) = 0;
    virtual void tick(std::uint64_t now) = 0;
    virtual std::vector<party::Outgoing> take_outgoing() = 0;
    virtual State state() const = 0;
    virtual Outcome outcome() const = 0;
    virtual Role peer() const = 0;  // the party to name as the sender of bytes whose header is refused
};

class TrustedPlayer final : public Player {
public:
    explicit TrustedPlayer(party::TrustedParty p, const Config& c) : party_(std::move(p)), config_(c) {}
    void start(std::uint64_t now) override {
        if (party_.role() == Role::alice) party_.start(now);
    }
    void receive(Role from, ByteSpan frame, std::uint64_t now) override { party_.receive(from, frame, now); }
    void tick(std::uint64_t now) override { party_.tick(now); }
    std::vector<party::Outgoing> take_outgoing() override { return party_.take_outgoing(); }
    State state() const override { return party_.state(); }
    Role peer() const override { return party_.role() == Role::alice ? Role::bob : Role::alice; }
    Outcome outcome() const override {
        Outcome o;
        o.role = party_.role();
        o.done = party_.state() == State::done && party_.key().has_value();
        if (!o.done) {
            const auto& f = party_.failure();
            o.reason = f ? std::string(wire::reason_name(f->reason)) : "internal_error";
            o.detail = f ? f->detail : "the shim ended before its party did";
            return o;
        }
        const auto& key = *party_.key();
        o.metadata = key.metadata();
        o.key_bits = key.bits().size();
        std::array<Byte, 32> digest{};
        SHA256(key.bits().reveal().data(), key.bits().reveal().size(), digest.data());
        o.key_sha256 = to_hex(digest);
        const auto& summary = party_.summary();
        if (summary.counts) {
            namespace sc = hardware_model::scenario;
            nlohmann::json claim;
            claim["protocol"] = sc::protocol_json(party_.protocol());
            claim["security"] = sc::security_json(party::security_of(config_.params, config_.eps_smooth));
            claim["counts"] = sc::counts_json(*summary.counts, party_.protocol().family);
            o.claim = claim;
        }
        return o;
    }

private:
    party::TrustedParty party_;
    const Config& config_;
};

class CharliePlayer final : public Player {
public:
    CharliePlayer(const Config& c, std::vector<party::Detection> detections)
        : charlie_({c.session_id, c.events_per_report, c.timeout_ms * 1'000'000}), detections_(std::move(detections)) {}
    void receive(Role from, ByteSpan frame, std::uint64_t now) override {
        charlie_.receive(from, frame, now);
        // His detectors run once he has acknowledged the block (state measuring), as the session
        // runner's do; the clicks go in batches so that reports leave while the rest are fed.
        while (charlie_.state() == State::measuring && fed_ < detections_.size()) {
            const std::size_t n = std::min<std::size_t>(detections_.size() - fed_, 1U << 16);
            charlie_.detections(std::span(detections_).subspan(fed_, n), now);
            fed_ += n;
        }
        if (charlie_.state() == State::measuring && fed_ == detections_.size()) charlie_.detections_complete(now);
    }
    void tick(std::uint64_t now) override { charlie_.tick(now); }
    std::vector<party::Outgoing> take_outgoing() override { return charlie_.take_outgoing(); }
    State state() const override { return charlie_.state(); }
    Role peer() const override { return Role::alice; }
    Outcome outcome() const override {
        Outcome o;
        o.role = Role::charlie;
        o.done = charlie_.state() == State::done;
        if (!o.done) {
            const auto& f = charlie_.failure();
            o.reason = f ? std::string(wire::reason_name(f->reason)) : "internal_error";
            o.detail = f ? f->detail : "the shim ended before its party did";
        }
        return o;
    }

private:
    party::Charlie charlie_;
    std::vector<party::Detection> detections_;
    std::size_t fed_ = 0;
};

Result<std::unique_ptr<Player>> make_player(const Config& c) {
    if (c.role == Role::charlie) {
        auto detections = read_detections(c.detections_file, c.detection_records);
        if (!detections) return detections.error();
        return std::unique_ptr<Player>(std::make_unique<CharliePlayer>(c, std::move(*detections)));
    }
    party::TrustedPartyConfig tc;
    tc.role = c.role;
    tc.session_id = c.session_id;
    tc.params = c.params;
    tc.eps_smooth = c.eps_smooth;
    tc.cascade_qber_estimate = c.cascade_qber_estimate;
    tc.choice_seed = c.choice_seed;
    tc.pools.alice_to_bob = c.pools.alice_to_bob.clone();
    tc.pools.bob_to_alice = c.pools.bob_to_alice.clone();
    tc.timeout_ns = c.timeout_ms * 1'000'000;
    if (auto ok = check_choices(c, party::protocol_of(c.params)); !ok) return ok.error();
    auto p = party::TrustedParty::create(std::move(tc), std::make_unique<party::SeededRandom>(c.random_seed));
    if (!p) return p.error();
    return std::unique_ptr<Player>(std::make_unique<TrustedPlayer>(std::move(*p), c));
}

// Runs the player over the socket until it ends and its last frames are written. Returns false if
// the socket broke before that (the harness went away).
bool serve(Player& player, int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    Bytes in, out;
    std::size_t out_sent = 0;
    bool peer_closed = false;
    const auto queue = [&]() {
        for (auto& o : player.take_outgoing()) out.insert(out.end(), o.frame.begin(), o.frame.end());
    };
    player.start(now_ns());
    queue();
    for (;;) {
        const bool pending = out_sent < out.size();
        if (terminal(player.state()) && !pending) return true;
        if (peer_closed && !terminal(player.state())) {
            // Nothing more can arrive: let the party's own timeout end it (time goes on).
            player.tick(now_ns());
            queue();
            if (!terminal(player.state())) {
                poll(nullptr, 0, 10);
                continue;
            }
        }
        pollfd p{fd, static_cast<short>((peer_closed ? 0 : POLLIN) | (pending ? POLLOUT : 0)), 0};
        if (poll(&p, 1, 10) < 0 && errno != EINTR) return false;
        if (p.revents & POLLOUT) {
            const ssize_t n = send(fd, out.data() + out_sent, out.size() - out_sent, MSG_NOSIGNAL);
            if (n > 0) out_sent += static_cast<std::size_t>(n);
            else if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            if (out_sent == out.size()) {
                out.clear();
                out_sent = 0;
            }
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            Byte buf[1 << 16];
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) in.insert(in.end(), buf, buf + n);
            else if (n == 0 || (errno != EAGAIN && errno != EINTR)) peer_closed = true;
        }
        // Whole frames to the party, in order.
        std::size_t used = 0;
        while (!terminal(player.state()) && in.size() - used >= wire::kFrameHeaderSize) {
            auto size = wire::frame_size(ByteSpan(in).subspan(used));
            if (!size) {
                // A header the codec refuses: hand the party the bytes so that it aborts with
                // decode_error (and says so to the others) as it would for any malformed frame. Its
                // sender is unknown; the party's peer is named, so that the party decodes the
                // bytes rather than refuse a frame from itself.
                player.receive(player.peer(), ByteSpan(in).subspan(used), now_ns());
                used = in.size();
                break;
            }
            if (in.size() - used < *size) break;
            const ByteSpan frame = ByteSpan(in).subspan(used, *size);
            const Byte sender = frame[6];
            player.receive(sender >= 1 && sender <= 3 ? static_cast<Role>(sender) : Role::alice, frame, now_ns());
            used += *size;
        }
        in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(used));
        player.tick(now_ns());
        queue();
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"tfqkd's reference shim: one TF-QKD party behind the conformance harness's shim contract"};
    app.footer("docs/vendor-guide.md section 7 is the contract. Exit status: 0 outcome written, 89 not implemented, "
               "2 bad flags or files, 1 the socket or the outcome file failed.");
    std::string role_text, config_path, outcome_path;
    int fd = -1;
    bool capabilities = false;
    app.add_flag("--capabilities", capabilities, "Print the roles and families this shim plays, as JSON, and exit");
    app.add_option("--role", role_text, "alice, bob or charlie");
    app.add_option("--config", config_path, "The session's config file (docs/schemas/shim-config.schema.json)");
    app.add_option("--fd", fd, "The connected stream socket to the harness, inherited");
    app.add_option("--outcome", outcome_path, "Where to write the outcome (docs/schemas/shim-outcome.schema.json)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (capabilities) {
        nlohmann::ordered_json j;
        j["format"] = "tfqkd-shim-capabilities/1";
        j["implementation"] = "tfqkd reference shim";
        j["roles"] = {"alice", "bob", "charlie"};
        j["families"] = {"sns", "sns-aopp", "pm", "cal19"};
        std::cout << j.dump() << "\n";
        return 0;
    }
    if (role_text.empty() || config_path.empty() || fd < 0 || outcome_path.empty())
        return usage_error("--role, --config, --fd and --outcome are required (or --capabilities)");
    const auto role = role_from_name(role_text);
    if (!role) return usage_error("--role " + role_text + ": accepted: alice, bob, charlie");
    std::ifstream in(config_path, std::ios::binary);
    if (!in) return usage_error(config_path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    auto config = parse_config(text.str(), config_path);
    if (!config) return usage_error(config.error().detail.empty() ? config.error().to_string() : config.error().detail);
    if (config->role != *role) return usage_error(config_path + ": role is not --role's " + role_text);
    auto player = make_player(*config);
    if (!player) return usage_error(player.error().detail.empty() ? player.error().to_string() : player.error().detail);
    const bool served = serve(**player, fd);
    close(fd);
    const Outcome outcome = (*player)->outcome();
    std::ofstream out(outcome_path, std::ios::binary | std::ios::trunc);
    out << outcome_json(outcome).dump(2) << "\n";
    if (!out) {
        std::cerr << "tfqkd reference shim: " << outcome_path << ": cannot be written\n";
        return kExitFailure;
    }
    if (!served) std::cerr << "tfqkd reference shim: the harness's socket broke before the party ended\n";
    return served ? 0 : kExitFailure;
}

}  // namespace tfqkd::conformance::shim
