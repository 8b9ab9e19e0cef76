//! `uhub` in a pseudo-terminal, as a person runs it: what the screen shows, keys typed.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, MasterPty, PtySize, native_pty_system};

use super::{LIMIT, Uhub};

/// `uhub` running in a pseudo-terminal, with everything it wrote so far.
pub struct Terminal {
    child: Box<dyn Child + Send + Sync>,
    keyboard: Box<dyn Write + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
    _master: Box<dyn MasterPty + Send>,
}

impl Terminal {
    pub fn start(uhub: &Uhub, args: &[&str]) -> Terminal {
        Terminal::spawn(uhub.pty_command(args))
    }

    /// Runs `command` (e.g. a shell that redirects uhub's stdout) in the terminal.
    pub fn spawn(command: portable_pty::CommandBuilder) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize { rows: 50, cols: 200, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal opens");
        let child = pair.slave.spawn_command(command).expect("uhub starts in the terminal");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("the terminal reads");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        // The reader blocks; it ends when the terminal closes (the test drops it).
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let keyboard = pair.master.take_writer().expect("the terminal takes input");
        Terminal { child, keyboard, screen, _master: pair.master }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until `wanted` has been shown.
    pub async fn wait_for(&self, wanted: &str) {
        let started = Instant::now();
        while !self.text().contains(wanted) {
            assert!(started.elapsed() < LIMIT, "{wanted:?} never appeared; the terminal shows:\n{}", self.text());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn type_line(&mut self, line: &str) {
        self.keyboard.write_all(format!("{line}\r").as_bytes()).unwrap();
        self.keyboard.flush().unwrap();
    }

    /// Sends raw bytes, as keys pressed (`\x03` is Ctrl-C).
    pub fn press(&mut self, bytes: &[u8]) {
        self.keyboard.write_all(bytes).unwrap();
        self.keyboard.flush().unwrap();
    }

    /// Waits for the program to end and returns its exit status.
    pub async fn exit_code(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader catch the last bytes.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return status.exit_code();
            }
            if started.elapsed() > LIMIT {
                let _ = self.child.kill();
                panic!("uhub did not finish; the terminal shows:\n{}", self.text());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
