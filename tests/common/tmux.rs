//! A tmux server of the test's own (`tmux -L`), so a tmux the developer runs can neither see
//! nor break the test; it is killed when the test ends, passed or failed.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    /// Starts `command` in a detached session of `width`×`height` on a private server.
    pub fn start(name: &'static str, width: u16, height: u16, command: &str) -> Tmux {
        // A server of its own each time: one being killed may still hold the last socket.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let tmux = Tmux {
            socket: format!("maildoctor-test-{}-{name}-{n}", std::process::id()),
            session: name,
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        // tmux and what it runs in UTF-8 whatever the machine's locale; a test of another
        // locale sets its own in the command.
        let out = Command::new("tmux")
            .env("LC_ALL", "C.UTF-8")
            .arg("-u")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (apt-get install tmux)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", self.session])
    }

    /// Waits until the screen satisfies `ok`, up to `limit`; returns the last screen.
    pub fn wait_until(&self, ok: impl Fn(&str) -> bool, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            let now = self.screen();
            if ok(&now) || started.elapsed() > limit {
                return now;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen contains `text`, up to `limit`.
    pub fn wait_for(&self, text: &str, limit: Duration) -> String {
        self.wait_until(|s| s.contains(text), limit)
    }

    /// Keys by tmux's names (`Tab`, `Escape`, `C-u`, `q`).
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", self.session, key]);
        }
    }

    /// Text typed literally.
    pub fn typed(&self, text: &str) {
        self.run(&["send-keys", "-t", self.session, "-l", text]);
    }

    pub fn resize(&self, width: u16, height: u16) {
        self.run(&[
            "resize-window",
            "-t",
            self.session,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// A temporary directory removed when the test ends, passed or failed.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("maildoctor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
