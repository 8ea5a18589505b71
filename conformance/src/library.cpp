#include "conformance/library.hpp"
#include "child.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace tfqkd::conformance {

struct VendorLibrary::Symbols {
    decltype(&tfqkd_abi_version) abi_version = nullptr;
    decltype(&tfqkd_capabilities) capabilities = nullptr;
    decltype(&tfqkd_decode_message) decode_message = nullptr;
    decltype(&tfqkd_decode_frame) decode_frame = nullptr;
    decltype(&tfqkd_verification_hash) verification_hash = nullptr;
    decltype(&tfqkd_toeplitz) toeplitz = nullptr;
    decltype(&tfqkd_key_length) key_length = nullptr;
};

namespace {

using Clock = std::chrono::steady_clock;

// How much of a library's stderr a report keeps: enough for an assertion message or a sanitizer's
// first lines, not a flood.
constexpr std::size_t kStderrKeep = 4096;

template <class F>
F symbol(void* handle, const char* name) {
    // dlsym returns an object pointer; POSIX guarantees it converts to a function pointer.
    return reinterpret_cast<F>(dlsym(handle, name));
}

void resolve(void* handle, VendorLibrary::Symbols& s) {
    s.abi_version = symbol<decltype(s.abi_version)>(handle, "tfqkd_abi_version");
    s.capabilities = symbol<decltype(s.capabilities)>(handle, "tfqkd_capabilities");
    s.decode_message = symbol<decltype(s.decode_message)>(handle, "tfqkd_decode_message");
    s.decode_frame = symbol<decltype(s.decode_frame)>(handle, "tfqkd_decode_frame");
    s.verification_hash = symbol<decltype(s.verification_hash)>(handle, "tfqkd_verification_hash");
    s.toeplitz = symbol<decltype(s.toeplitz)>(handle, "tfqkd_toeplitz");
    s.key_length = symbol<decltype(s.key_length)>(handle, "tfqkd_key_length");
}

// --- The answer a child sends back: a fixed header, then the output and the text. ------------

struct AnswerHeader {
    std::int32_t status;
    tfqkd_reject reject;
    std::uint64_t number;
    std::uint64_t output_size;
    std::uint64_t text_size;
};

Bytes serialise(const CallOutcome& o) {
    AnswerHeader h{};
    h.status = static_cast<std::int32_t>(o.status);
    h.reject = o.reject;
    h.number = o.number;
    h.output_size = o.output.size();
    h.text_size = o.text.size();
    Bytes out(sizeof h);
    std::memcpy(out.data(), &h, sizeof h);
    out.insert(out.end(), o.output.begin(), o.output.end());
    out.insert(out.end(), o.text.begin(), o.text.end());
    return out;
}

// What a library hands back as text ends up in terminals, JSON and XML: keep printable ASCII, tabs,
// newlines and well-formed UTF-8 sequences; every other byte becomes '?'.
void make_printable(char* text, std::size_t size) {
    auto* b = reinterpret_cast<unsigned char*>(text);
    for (std::size_t i = 0; i < size && b[i] != 0;) {
        const unsigned c = b[i];
        std::size_t length = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        if (c < 0x80) length = (c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t' ? 1 : 0;
        for (std::size_t k = 1; k < length; ++k)
            if (i + k >= size || (b[i + k] & 0xC0U) != 0x80U) length = 0;
        if (length == 0) {
            b[i++] = '?';
        } else {
            i += length;
        }
    }
}

void make_printable(std::string& text) { make_printable(text.data(), text.size()); }

bool deserialise(const Bytes& in, CallOutcome& o) {
    AnswerHeader h{};
    if (in.size() < sizeof h) return false;
    std::memcpy(&h, in.data(), sizeof h);
    if (h.output_size > in.size() - sizeof h || h.text_size != in.size() - sizeof h - h.output_size) return false;
    o.status = static_cast<tfqkd_status>(h.status);
    o.reject = h.reject;
    // The vendor's strings may lack their NUL: terminate them here, not trust them.
    o.reject.message[sizeof o.reject.message - 1] = '\0';
    o.reject.field[sizeof o.reject.field - 1] = '\0';
    make_printable(o.reject.message, sizeof o.reject.message);
    make_printable(o.reject.field, sizeof o.reject.field);
    o.number = h.number;
    const auto* p = in.data() + sizeof h;
    o.output.assign(p, p + h.output_size);
    o.text.assign(reinterpret_cast<const char*>(p + h.output_size), h.text_size);
    make_printable(o.text);
    return true;
}

bool write_all(int fd, const Bytes& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

CallOutcome harness_error(std::string what) {
    CallOutcome o;
    o.kind = CallOutcome::Kind::harness_error;
    o.text = std::move(what) + ": " + std::strerror(errno);
    return o;
}

// Runs `call` in a child process and collects its answer within `limits`.
CallOutcome run_in_child(const std::function<CallOutcome()>& call, const CallLimits& limits) {
    int answer[2];
    int err[2];
    if (pipe2(answer, O_CLOEXEC) != 0) return harness_error("pipe");
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(answer[0]);
        close(answer[1]);
        return harness_error("pipe");
    }
    std::fflush(nullptr);  // buffered output would otherwise be written twice, once by the child
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {answer[0], answer[1], err[0], err[1]}) close(fd);
        return harness_error("fork");
    }
    if (pid == 0) {
        // The child: isolated (child.hpp), stdout away from the harness's report, stderr to us.
        isolate_child();
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        close(answer[0]);
        close(err[0]);
        const CallOutcome o = call();
        _exit(write_all(answer[1], serialise(o)) ? 0 : 3);
    }
    setpgid(pid, pid);  // also here: whichever of parent and child runs first, the group exists
    close(answer[1]);
    close(err[1]);

    const auto deadline = Clock::now() + limits.timeout;
    Bytes received;
    std::string stderr_text;
    bool answer_open = true;
    bool err_open = true;
    bool timed_out = false;
    bool flooded = false;
    while (answer_open || err_open) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        pollfd fds[2] = {{answer_open ? answer[0] : -1, POLLIN, 0}, {err_open ? err[0] : -1, POLLIN, 0}};
        const int ready = poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
        if (ready < 0 && errno != EINTR) break;
        std::uint8_t buffer[65536];
        if (answer_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = read(answer[0], buffer, sizeof buffer);
            if (n > 0) received.insert(received.end(), buffer, buffer + n);
            else if (n == 0 || errno != EINTR) answer_open = false;
            if (received.size() > limits.max_output + sizeof(AnswerHeader) + 65536) {
                flooded = true;
                break;
            }
        }
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = read(err[0], buffer, sizeof buffer);
            if (n > 0) {
                // Keep the beginning, drain the rest: a library that floods stderr must not block
                // on a full pipe, nor fill the harness's memory.
                stderr_text.append(reinterpret_cast<const char*>(buffer),
                                   std::min(static_cast<std::size_t>(n), kStderrKeep - std::min(kStderrKeep, stderr_text.size())));
            } else if (n == 0 || errno != EINTR) {
                err_open = false;
            }
        }
    }
    close(answer[0]);
    close(err[0]);
    // Reap within what is left of the limit (a child that closed its pipes may still be running);
    // past it, kill the whole group and wait, which SIGKILL makes bounded.
    int wstatus = 0;
    pid_t reaped = 0;
    if (!timed_out && !flooded) {
        while ((reaped = waitpid(pid, &wstatus, WNOHANG)) == 0 && Clock::now() < deadline) usleep(200);
        if (reaped == 0) timed_out = true;
    }
    if (reaped <= 0) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
        }
    } else {
        kill(-pid, SIGKILL);  // anything the library left running in the child's group
    }

    CallOutcome o;
    make_printable(stderr_text);
    o.stderr_tail = std::move(stderr_text);
    if (flooded) {
        o.kind = CallOutcome::Kind::harness_error;
        o.text = "the answer exceeded " + std::to_string(limits.max_output) + " bytes; killed";
        return o;
    }
    if (timed_out) {
        o.kind = CallOutcome::Kind::timed_out;
        return o;
    }
    if (WIFSIGNALED(wstatus)) {
        o.kind = CallOutcome::Kind::crashed;
        o.signal = WTERMSIG(wstatus);
        return o;
    }
    if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) != 0 || received.empty())) {
        o.kind = CallOutcome::Kind::exited;
        o.exit_code = WEXITSTATUS(wstatus);
        return o;
    }
    if (!deserialise(received, o)) {
        o.kind = CallOutcome::Kind::harness_error;
        o.text = "malformed answer from the child (" + std::to_string(received.size()) + " bytes)";
        return o;
    }
    o.kind = CallOutcome::Kind::returned;
    return o;
}

CallOutcome not_implemented() {
    CallOutcome o;
    o.kind = CallOutcome::Kind::returned;
    o.status = TFQKD_NOT_IMPLEMENTED;
    return o;
}

// A decode call with the output buffer sized from the input, and once more at the size the library
// asks for when that is too small (bounded by max_output).
template <class Decode>
CallOutcome decode_with_buffer(std::size_t input_size, const CallLimits& limits, Decode decode) {
    CallOutcome o;
    o.kind = CallOutcome::Kind::returned;
    std::size_t capacity = input_size + 4096;
    for (int attempt = 0; attempt < 2; ++attempt) {
        o.output.assign(capacity, 0);
        std::size_t written = 0;
        o.status = decode(o.output.data(), capacity, &written, &o.reject);
        if (o.status == TFQKD_BUFFER_TOO_SMALL && attempt == 0 && written > capacity && written <= limits.max_output) {
            capacity = written;
            continue;
        }
        if (o.status == TFQKD_OK && written > capacity) {
            // The library claims to have written past the buffer: a contract breach, reported.
            o.status = TFQKD_INTERNAL_ERROR;
            o.text = "out_len " + std::to_string(written) + " exceeds the capacity " + std::to_string(capacity);
            written = 0;
        }
        o.output.resize(o.status == TFQKD_OK ? written : 0);
        break;
    }
    return o;
}

}  // namespace

std::string_view status_name(tfqkd_status status) noexcept {
    switch (status) {
        case TFQKD_OK: return "TFQKD_OK";
        case TFQKD_REJECTED: return "TFQKD_REJECTED";
        case TFQKD_NOT_IMPLEMENTED: return "TFQKD_NOT_IMPLEMENTED";
        case TFQKD_BUFFER_TOO_SMALL: return "TFQKD_BUFFER_TOO_SMALL";
        case TFQKD_INVALID_ARGUMENT: return "TFQKD_INVALID_ARGUMENT";
        case TFQKD_INTERNAL_ERROR: return "TFQKD_INTERNAL_ERROR";
    }
    return "an undefined status";
}

std::string CallOutcome::describe() const {
    std::string s;
    switch (kind) {
        case Kind::returned:
            s = "returned " + std::string(status_name(status));
            if (status_name(status) == "an undefined status") s += " (" + std::to_string(static_cast<int>(status)) + ")";
            if (!text.empty()) s += " (" + text + ")";
            break;
        case Kind::crashed: {
            const char* abbrev = sigabbrev_np(signal);
            s = "crashed with signal " + std::to_string(signal) + (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : "");
            break;
        }
        case Kind::timed_out: s = "gave no answer within the time limit; killed with SIGKILL"; break;
        case Kind::exited: s = "exited with code " + std::to_string(exit_code) + " instead of returning"; break;
        case Kind::harness_error: s = "could not be run: " + text; break;
    }
    if (!stderr_tail.empty()) s += "; stderr: " + stderr_tail;
    return s;
}

Result<std::unique_ptr<VendorLibrary>> VendorLibrary::open(const std::string& path, Isolation isolation,
                                                           CallLimits limits) {
    const auto fail = [&](Errc code, std::string what) {
        return make_error(code, "library", "path",
                          path + ": " + what +
                              " (accepted: a shared library exporting the functions of tfqkd/conformance_abi.h, "
                              "version " + std::to_string(TFQKD_ABI_VERSION) + "; docs/vendor-guide.md section 6)");
    };
    // Probe first where a crash cannot hurt: the library's constructors and its two mandatory
    // functions run in a child.
    const auto probe = [&path]() {
        CallOutcome o;
        o.kind = CallOutcome::Kind::returned;
        void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (h == nullptr) {
            o.status = TFQKD_REJECTED;
            const char* e = dlerror();
            o.text = e != nullptr ? e : "dlopen failed";
            return o;
        }
        Symbols s;
        resolve(h, s);
        if (s.abi_version == nullptr || s.capabilities == nullptr) {
            o.status = TFQKD_NOT_IMPLEMENTED;
            return o;
        }
        o.status = TFQKD_OK;
        o.number = (std::uint64_t{s.abi_version()} << 32) | s.capabilities();
        return o;
    };
    const CallOutcome probed = isolation == Isolation::child_process ? run_in_child(probe, limits) : probe();
    if (probed.kind != CallOutcome::Kind::returned) return fail(Errc::io, "loading it " + probed.describe());
    if (probed.status == TFQKD_REJECTED) return fail(Errc::io, "cannot be loaded: " + probed.text);
    if (probed.status == TFQKD_NOT_IMPLEMENTED)
        return fail(Errc::invalid_argument,
                    "exports no tfqkd_abi_version or tfqkd_capabilities (both are required: conformance_abi.h)");
    const auto version = static_cast<std::uint32_t>(probed.number >> 32);
    if (version != TFQKD_ABI_VERSION)
        return fail(Errc::invalid_argument, "ABI version " + std::to_string(version) + "; this harness knows version " +
                                                std::to_string(TFQKD_ABI_VERSION));

    std::unique_ptr<VendorLibrary> lib(new VendorLibrary());
    lib->path_ = path;
    lib->isolation_ = isolation;
    lib->limits_ = limits;
    lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib->handle_ == nullptr) {
        const char* e = dlerror();
        return fail(Errc::io, std::string("cannot be loaded: ") + (e != nullptr ? e : "dlopen failed"));
    }
    lib->symbols_ = std::make_unique<Symbols>();
    resolve(lib->handle_, *lib->symbols_);
    lib->abi_version_ = version;
    lib->capabilities_ = static_cast<std::uint32_t>(probed.number);
    return lib;
}

VendorLibrary::~VendorLibrary() {
    if (handle_ != nullptr) dlclose(handle_);
}

bool VendorLibrary::implements(std::uint32_t capability) const noexcept {
    if ((capabilities_ & capability) == 0) return false;
    switch (capability) {
        case TFQKD_CAP_DECODE_MESSAGE: return symbols_->decode_message != nullptr;
        case TFQKD_CAP_DECODE_FRAME: return symbols_->decode_frame != nullptr;
        case TFQKD_CAP_VERIFICATION_HASH: return symbols_->verification_hash != nullptr;
        case TFQKD_CAP_TOEPLITZ: return symbols_->toeplitz != nullptr;
        case TFQKD_CAP_KEY_LENGTH: return symbols_->key_length != nullptr;
        default: return false;
    }
}

namespace {
CallOutcome run(Isolation isolation, const CallLimits& limits, const std::function<CallOutcome()>& call) {
    return isolation == Isolation::child_process ? run_in_child(call, limits) : call();
}
}  // namespace

CallOutcome VendorLibrary::decode_message(std::uint8_t type, ByteSpan payload) const {
    if (!implements(TFQKD_CAP_DECODE_MESSAGE)) return not_implemented();
    const auto fn = symbols_->decode_message;
    return run(isolation_, limits_, [&]() {
        return decode_with_buffer(payload.size(), limits_, [&](std::uint8_t* out, std::size_t cap, std::size_t* len,
                                                               tfqkd_reject* reject) {
            return fn(type, payload.data(), payload.size(), out, cap, len, reject);
        });
    });
}

CallOutcome VendorLibrary::decode_frame(ByteSpan frame) const {
    if (!implements(TFQKD_CAP_DECODE_FRAME)) return not_implemented();
    const auto fn = symbols_->decode_frame;
    return run(isolation_, limits_, [&]() {
        return decode_with_buffer(frame.size(), limits_, [&](std::uint8_t* out, std::size_t cap, std::size_t* len,
                                                             tfqkd_reject* reject) {
            return fn(frame.data(), frame.size(), out, cap, len, reject);
        });
    });
}

CallOutcome VendorLibrary::verification_hash(ByteSpan key16, ByteSpan data, std::uint64_t bit_length) const {
    if (!implements(TFQKD_CAP_VERIFICATION_HASH)) return not_implemented();
    if (key16.size() != 16 || data.size() != (bit_length + 7) / 8) {
        CallOutcome o;
        o.text = "the vector's key or data has the wrong size";
        return o;
    }
    const auto fn = symbols_->verification_hash;
    return run(isolation_, limits_, [&]() {
        CallOutcome o;
        o.kind = CallOutcome::Kind::returned;
        o.output.assign(16, 0);
        o.status = fn(key16.data(), data.data(), bit_length, o.output.data());
        if (o.status != TFQKD_OK) o.output.clear();
        return o;
    });
}

CallOutcome VendorLibrary::toeplitz(ByteSpan seed, ByteSpan input, std::uint64_t input_bits,
                                    std::uint64_t output_bits) const {
    if (!implements(TFQKD_CAP_TOEPLITZ)) return not_implemented();
    const auto fn = symbols_->toeplitz;
    return run(isolation_, limits_, [&]() {
        CallOutcome o;
        o.kind = CallOutcome::Kind::returned;
        o.output.assign(static_cast<std::size_t>((output_bits + 7) / 8), 0);
        o.status = fn(seed.data(), input.data(), input_bits, output_bits, o.output.data(), o.output.size());
        if (o.status != TFQKD_OK) o.output.clear();
        return o;
    });
}

CallOutcome VendorLibrary::key_length(std::string_view statistics_json) const {
    if (!implements(TFQKD_CAP_KEY_LENGTH)) return not_implemented();
    const auto fn = symbols_->key_length;
    return run(isolation_, limits_, [&]() {
        CallOutcome o;
        o.kind = CallOutcome::Kind::returned;
        char error[512] = {};
        o.status = fn(statistics_json.data(), statistics_json.size(), &o.number, error, sizeof error);
        error[sizeof error - 1] = '\0';
        o.text = error;
        return o;
    });
}

}  // namespace tfqkd::conformance
