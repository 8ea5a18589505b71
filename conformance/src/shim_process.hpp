// A shim as a child process: started with one end of a socket pair as its wire, its standard output
// and error captured, and always reaped. Internal to conformance/ (live.cpp uses it).
//
// The child runs in its own process group, so that killing the group also kills whatever the shim
// started; the harness never leaves a process behind: kill() and the destructor SIGKILL the group
// and wait for the child.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace tfqkd::conformance {

class ShimProcess {
public:
    // Starts `program` with `args`; the child's end of the socket pair is passed as the descriptor
    // number the args name (the caller puts "--fd" and fd_number() in them, see start()).
    // Errors: the socket pair, the pipes or fork failed (the harness's own resources).
    static Result<ShimProcess> start(const std::string& program, std::vector<std::string> args,
                                     std::size_t output_cap);
    ShimProcess(ShimProcess&&) noexcept;
    ShimProcess& operator=(ShimProcess&&) = delete;
    ShimProcess(const ShimProcess&) = delete;
    ~ShimProcess();

    // The number the child's socket has in the child (what "--fd" says).
    static constexpr int kChildFd = 3;

    int socket() const noexcept { return socket_; }  // the harness's end, non-blocking
    int stdout_fd() const noexcept { return out_; }
    int stderr_fd() const noexcept { return err_; }

    // Reads what the child wrote to its standard output and error, without blocking. Returns false
    // once more than output_cap bytes came in total (the shim floods its output).
    bool drain_output();
    // The last 4 KiB of the child's standard error (and of its standard output, if it wrote any),
    // for the report.
    std::string output_tail() const;
    std::uint64_t output_bytes() const noexcept { return output_bytes_; }

    // Whether the child has exited; reaps it (non-blocking) when it has.
    bool exited();
    // The exit: a code, or a signal. Meaningful once exited().
    std::optional<int> exit_code() const noexcept { return exit_code_; }
    std::optional<int> signal() const noexcept { return signal_; }
    // SIGKILLs the child's group and reaps it (bounded: SIGKILL cannot be ignored).
    void kill();
    // Closes the harness's end of the socket (the shim sees end of stream).
    void close_socket();

private:
    ShimProcess() = default;
    void read_from(int& fd, std::string& into);

    pid_t pid_ = -1;
    int socket_ = -1, out_ = -1, err_ = -1;
    std::string stdout_text_, stderr_text_;
    std::uint64_t output_bytes_ = 0;
    std::size_t output_cap_ = 0;
    bool reaped_ = false;
    std::optional<int> exit_code_, signal_;
};

}  // namespace tfqkd::conformance
