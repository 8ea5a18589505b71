// The stream transport: each party in its own thread, frames over socket pairs, read back by their
// header's length (wire::frame_size). network/src/transport.hpp.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "protocol/wire/frame.hpp"
#include "transport.hpp"

namespace tfqkd::network {

namespace {

using party::State;
using wire::Role;

bool terminal(State s) { return s == State::done || s == State::aborted; }

// One end of a byte stream to another party.
struct Link {
    Link(Role p, int f) : peer(p), fd(f) {}
    Role peer = Role::alice;
    int fd = -1;
    Bytes in;        // bytes read and not yet a whole frame
    Bytes out;       // bytes to write
    std::size_t out_sent = 0;
    bool closed = false;  // the peer closed its end (EOF) or the stream broke
};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// What a thread needs to know about the party it runs, whichever kind it is.
struct Runner {
    Role self;
    std::function<void(Role, ByteSpan, std::uint64_t)> receive;
    std::function<std::vector<party::Outgoing>()> take_outgoing;
    std::function<void(std::uint64_t)> tick;
    std::function<State()> state;
};

class Clock {
public:
    std::uint64_t now() const {
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class PartyThread {
public:
    PartyThread(Runner runner, std::vector<Link> links, const Clock& clock, std::uint64_t timeout_ns,
                const FrameObserver& observe, std::mutex& observe_mutex)
        : runner_(std::move(runner)), links_(std::move(links)), clock_(clock), timeout_ns_(timeout_ns),
          observe_(observe), observe_mutex_(observe_mutex) {}

    // Moves the party's outgoing frames into the links' buffers.
    void queue_outgoing() {
        for (auto& o : runner_.take_outgoing())
            for (auto& l : links_)
                if (l.peer == o.to && !l.closed) l.out.insert(l.out.end(), o.frame.begin(), o.frame.end());
    }

    bool pending_output() const {
        for (const auto& l : links_)
            if (!l.closed && l.out_sent < l.out.size()) return true;
        return false;
    }

    // One round of poll: write what is pending, read what arrived, hand whole frames to the party.
    // `wait_ms` bounds the wait.
    void step(int wait_ms) {
        queue_outgoing();
        std::vector<pollfd> fds;
        for (const auto& l : links_) {
            short events = 0;
            if (!l.closed) {
                events = POLLIN;
                if (l.out_sent < l.out.size()) events = static_cast<short>(events | POLLOUT);
            }
            fds.push_back({l.closed ? -1 : l.fd, events, 0});
        }
        if (poll(fds.data(), fds.size(), wait_ms) < 0 && errno != EINTR) return;
        for (std::size_t i = 0; i < links_.size(); ++i) {
            Link& l = links_[i];
            if (l.closed) continue;
            if ((fds[i].revents & POLLOUT) != 0) write_some(l);
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) read_some(l);
        }
        const std::uint64_t now = clock_.now();
        bool all_closed = true;
        for (const auto& l : links_) all_closed = all_closed && l.closed;
        // Every peer gone and still waiting: nothing can arrive any more, so the timeout is now.
        runner_.tick(all_closed ? now + timeout_ns_ : now);
        queue_outgoing();
    }

    void run(const std::function<bool()>& keep_going) {
        while (keep_going()) {
            if (terminal(runner_.state()) && !pending_output()) break;
            step(20);
        }
        // Flush what is left (an abort), then close our ends so the peers see EOF.
        for (int i = 0; i < 100 && pending_output(); ++i) step(10);
        for (auto& l : links_) shutdown(l.fd, SHUT_WR);
        // Keep reading until the peers are done too, so that no frame they send is lost unread
        // (a late abort is still recorded in the transcript).
        for (int i = 0; i < 200; ++i) {
            bool open = false;
            for (const auto& l : links_) open = open || !l.closed;
            if (!open) break;
            step(10);
        }
    }

    std::vector<Link>& links() { return links_; }
    Runner& runner() { return runner_; }

private:
    void write_some(Link& l) {
        while (l.out_sent < l.out.size()) {
            const ssize_t n = send(l.fd, l.out.data() + l.out_sent, l.out.size() - l.out_sent, MSG_NOSIGNAL);
            if (n > 0) {
                l.out_sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
            l.closed = true;  // the peer is gone
            return;
        }
        l.out.clear();
        l.out_sent = 0;
    }

    void read_some(Link& l) {
        std::array<Byte, 1 << 16> buffer{};
        for (;;) {
            const ssize_t n = recv(l.fd, buffer.data(), buffer.size(), 0);
            if (n > 0) {
                l.in.insert(l.in.end(), buffer.begin(), buffer.begin() + n);
                continue;
            }
            if (n == 0) l.closed = true;
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) l.closed = true;
            break;
        }
        // Whole frames, by the length their header gives.
        std::size_t used = 0;
        while (l.in.size() - used >= wire::kFrameHeaderSize) {
            const ByteSpan rest(l.in.data() + used, l.in.size() - used);
            auto size = wire::frame_size(rest.first(wire::kFrameHeaderSize));
            // A header that does not parse: hand the party what there is, which it rejects with
            // decode_error and the precise field; the stream cannot be resynchronised after it.
            const std::size_t take = size ? *size : rest.size();
            if (size && rest.size() < take) break;
            const ByteSpan frame = rest.first(take);
            {
                std::lock_guard lock(observe_mutex_);
                observe_(l.peer, runner_.self, frame);
            }
            runner_.receive(l.peer, frame, clock_.now());
            used += take;
        }
        l.in.erase(l.in.begin(), l.in.begin() + static_cast<std::ptrdiff_t>(used));
    }

    Runner runner_;
    std::vector<Link> links_;
    const Clock& clock_;
    std::uint64_t timeout_ns_;
    const FrameObserver& observe_;
    std::mutex& observe_mutex_;
};

Runner trusted_runner(party::TrustedParty& p) {
    return {p.role(), [&p](Role from, ByteSpan f, std::uint64_t t) { p.receive(from, f, t); },
            [&p]() { return p.take_outgoing(); }, [&p](std::uint64_t t) { p.tick(t); }, [&p]() { return p.state(); }};
}

}  // namespace

TransportStats run_streams(const Parties& parties, QuantumPhase& quantum, std::uint64_t timeout_ns,
                           const FrameObserver& observe) {
    TransportStats stats;
    // One socket pair per pair of parties: [alice-bob], [alice-charlie], [bob-charlie].
    int ab[2], ac[2], bc[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, ab);
    socketpair(AF_UNIX, SOCK_STREAM, 0, ac);
    socketpair(AF_UNIX, SOCK_STREAM, 0, bc);
    for (int fd : {ab[0], ab[1], ac[0], ac[1], bc[0], bc[1]}) set_nonblocking(fd);

    const Clock clock;
    std::mutex observe_mutex;
    std::mutex go_mutex;
    std::condition_variable go_signal;
    bool go = false;     // Alice has both acknowledgements, or has ended: Charlie stops waiting
    bool ready = false;  // Alice has both acknowledgements: the optical part may begin

    PartyThread alice(trusted_runner(*parties.alice), {{Role::bob, ab[0]}, {Role::charlie, ac[0]}}, clock, timeout_ns,
                      observe, observe_mutex);
    PartyThread bob(trusted_runner(*parties.bob), {{Role::alice, ab[1]}, {Role::charlie, bc[0]}}, clock, timeout_ns,
                    observe, observe_mutex);
    party::Charlie& c = *parties.charlie;
    PartyThread charlie({Role::charlie, [&c](Role from, ByteSpan f, std::uint64_t t) { c.receive(from, f, t); },
                         [&c]() { return c.take_outgoing(); }, [&c](std::uint64_t t) { c.tick(t); },
                         [&c]() { return c.state(); }},
                        {{Role::alice, ac[1]}, {Role::bob, bc[1]}}, clock, timeout_ns, observe, observe_mutex);

    std::thread alice_thread([&]() {
        parties.alice->start(clock.now());
        alice.run([&]() {
            const State state = parties.alice->state();
            if (state == State::collecting_reports || terminal(state)) {
                std::lock_guard lock(go_mutex);
                if (!go) {
                    go = true;
                    ready = state == State::collecting_reports;
                    go_signal.notify_all();
                }
            }
            return true;
        });
        std::lock_guard lock(go_mutex);
        go = true;
        go_signal.notify_all();
    });
    std::thread bob_thread([&]() { bob.run([]() { return true; }); });
    std::thread charlie_thread([&]() {
        // Acknowledge, then wait for Alice's go before the detectors run.
        while (c.state() == State::idle) charlie.step(20);
        if (c.state() == State::measuring) {
            std::unique_lock lock(go_mutex);
            while (!go) {
                lock.unlock();
                charlie.step(5);  // flushes the ack; notices an abort
                lock.lock();
                if (c.state() != State::measuring) break;
                go_signal.wait_for(lock, std::chrono::milliseconds(5));
            }
        }
        bool start_light = false;
        {
            std::lock_guard lock(go_mutex);
            start_light = ready;
        }
        if (c.state() == State::measuring && start_light) {
            if (quantum.on_stage) quantum.on_stage("quantum and reports");
            stats.quantum_seconds = feed_charlie(c, *quantum.heralds, clock.now(), [&]() {
                charlie.queue_outgoing();
                // Bound the buffered reports: write until at most one batch's worth is pending.
                while (charlie.pending_output()) charlie.step(5);
            });
        }
        charlie.run([]() { return true; });
    });
    alice_thread.join();
    bob_thread.join();
    charlie_thread.join();
    for (int fd : {ab[0], ab[1], ac[0], ac[1], bc[0], bc[1]}) close(fd);
    return stats;
}

}  // namespace tfqkd::network
