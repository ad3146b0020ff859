//! Two watchers that end the process when its terminal is no longer the user's: a signal
//! (TERM, INT, HUP, QUIT), and the terminal hanging up (an SSH connection dropped, a tmux
//! session killed) even when no signal says so.
//!
//! The second is needed because nothing else notices. A process started by a shell that does
//! not forward SIGHUP (`sh -c`, dash) gets no signal when the terminal goes, and crossterm's
//! `event::read` does not return on end of file or EIO: it reads again at once, forever, at
//! full speed.

use std::os::fd::AsFd;

use rustix::event::{PollFd, PollFlags, poll};

/// The exit code after a hang-up, as for SIGHUP: 128 + 1.
const HUNG_UP: i32 = 128 + 1;

/// Starts the thread that gives the terminal back and exits when a signal arrives.
pub fn watch_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            super::leave(128 + signal, &format!("stopped by signal {signal}"));
        }
    });
    Ok(())
}

/// Starts the thread that exits when the terminal hangs up. It sleeps in `poll` asking for no
/// event at all, so only a hang-up or an error wakes it: no CPU while the terminal is there.
/// Nothing is watched when there is no terminal (a pipe, a cron job).
pub fn watch_hangup() {
    let Some(tty) = Tty::open() else {
        return;
    };
    std::thread::spawn(move || {
        if hung_up(&tty) {
            super::leave(HUNG_UP, "the terminal went away");
        }
    });
}

/// The terminal crossterm reads keys from: standard input when it is one, else `/dev/tty`.
enum Tty {
    Stdin(std::io::Stdin),
    Device(std::fs::File),
}

impl Tty {
    fn open() -> Option<Tty> {
        let stdin = std::io::stdin();
        if std::io::IsTerminal::is_terminal(&stdin) {
            return Some(Tty::Stdin(stdin));
        }
        let device = std::fs::File::open("/dev/tty").ok()?;
        std::io::IsTerminal::is_terminal(&device).then_some(Tty::Device(device))
    }
}

/// Blocks until `tty` hangs up (true), or polling it fails for another reason (false: the
/// watcher gives up rather than spin).
fn hung_up(tty: &Tty) -> bool {
    let fd = match tty {
        Tty::Stdin(stdin) => stdin.as_fd(),
        Tty::Device(file) => file.as_fd(),
    };
    loop {
        let mut fds = [PollFd::new(&fd, PollFlags::empty())];
        match poll(&mut fds, None) {
            // With no event asked for and no time limit, only a hang-up or an error returns.
            Ok(_) => return gone(fds[0].revents()),
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return false,
        }
    }
}

/// Whether what `poll` reported means the terminal is gone.
fn gone(revents: PollFlags) -> bool {
    revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
}

#[cfg(test)]
mod tests {
    use rustix::event::PollFlags;

    #[test]
    fn a_hang_up_an_error_or_a_closed_descriptor_is_a_terminal_gone() {
        assert!(super::gone(PollFlags::HUP));
        assert!(super::gone(PollFlags::HUP | PollFlags::IN));
        assert!(super::gone(PollFlags::ERR));
        assert!(super::gone(PollFlags::NVAL));
        assert!(!super::gone(PollFlags::IN));
        assert!(!super::gone(PollFlags::empty()));
    }
}
