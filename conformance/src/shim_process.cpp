// A shim as a child process: shim_process.hpp.
#include "shim_process.hpp"

#include "child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tfqkd::conformance {

namespace {

constexpr std::size_t kTail = 4096;

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

Error harness_error(const char* what) {
    return make_error(Errc::io, "conformance", "", std::string("the harness could not start the shim: ") + what + ": " +
                                                        std::strerror(errno));
}

}  // namespace

Result<ShimProcess> ShimProcess::start(const std::string& program, std::vector<std::string> args,
                                       std::size_t output_cap) {
    int sv[2], out[2], err[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return harness_error("socketpair");
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(sv[0]);
        close(sv[1]);
        return harness_error("pipe");
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        for (int fd : {sv[0], sv[1], out[0], out[1]}) close(fd);
        return harness_error("pipe");
    }
    // argv is built before fork: the child only calls async-signal-safe functions.
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {sv[0], sv[1], out[0], out[1], err[0], err[1]}) close(fd);
        return harness_error("fork");
    }
    if (pid == 0) {
        // The child: isolated (child.hpp); the socket as descriptor kChildFd (dup2 clears
        // close-on-exec), stdout and stderr to the harness.
        isolate_child();
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        dup2(sv[1], kChildFd);
        const int null = open("/dev/null", O_RDONLY);
        if (null >= 0) dup2(null, STDIN_FILENO);
        execv(program.c_str(), argv.data());
        const char msg[] = "tfqkd conformance: the shim cannot be executed\n";
        (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(127);
    }
    setpgid(pid, pid);  // also here: whichever of parent and child runs first, the group exists
    close(sv[1]);
    close(out[1]);
    close(err[1]);
    ShimProcess p;
    p.pid_ = pid;
    p.socket_ = sv[0];
    p.out_ = out[0];
    p.err_ = err[0];
    p.output_cap_ = output_cap;
    for (int fd : {p.socket_, p.out_, p.err_}) set_nonblocking(fd);
    return p;
}

ShimProcess::ShimProcess(ShimProcess&& o) noexcept
    : pid_(o.pid_), socket_(o.socket_), out_(o.out_), err_(o.err_), stdout_text_(std::move(o.stdout_text_)),
      stderr_text_(std::move(o.stderr_text_)), output_bytes_(o.output_bytes_), output_cap_(o.output_cap_),
      reaped_(o.reaped_), exit_code_(o.exit_code_), signal_(o.signal_) {
    o.pid_ = -1;
    o.socket_ = o.out_ = o.err_ = -1;
    o.reaped_ = true;
}

ShimProcess::~ShimProcess() {
    if (pid_ > 0 && !reaped_) kill();
    close_fd(socket_);
    close_fd(out_);
    close_fd(err_);
}

void ShimProcess::read_from(int& fd, std::string& into) {
    if (fd < 0) return;
    char buf[1 << 14];
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            output_bytes_ += static_cast<std::uint64_t>(n);
            into.append(buf, static_cast<std::size_t>(n));
            // Keep the tail only: a flooding shim must not grow the harness's memory.
            if (into.size() > 2 * kTail) into.erase(0, into.size() - kTail);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) close_fd(fd);
        return;
    }
}

bool ShimProcess::drain_output() {
    read_from(out_, stdout_text_);
    read_from(err_, stderr_text_);
    return output_bytes_ <= output_cap_;
}

std::string ShimProcess::output_tail() const {
    const auto tail = [](const std::string& s) { return s.size() > kTail ? "..." + s.substr(s.size() - kTail) : s; };
    std::string t;
    if (!stderr_text_.empty()) t += "stderr:\n" + tail(stderr_text_);
    if (!stdout_text_.empty()) t += std::string(t.empty() ? "" : "\n") + "stdout:\n" + tail(stdout_text_);
    return t;
}

bool ShimProcess::exited() {
    if (reaped_) return true;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    reaped_ = true;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) signal_ = WTERMSIG(status);
    // Whatever the shim started in its group goes with it.
    ::kill(-pid_, SIGKILL);
    return true;
}

void ShimProcess::kill() {
    if (pid_ <= 0 || reaped_) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    if (WIFEXITED(status)) exit_code_ = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) signal_ = WTERMSIG(status);
}

void ShimProcess::close_socket() { close_fd(socket_); }

}  // namespace tfqkd::conformance
