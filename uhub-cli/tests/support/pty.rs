//! `uhub` in a pseudo-terminal of a chosen width, as a person runs it: what the terminal
//! receives, byte for byte, and a keyboard to answer prompts.

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
    /// A terminal of 50 rows and 200 columns running `uhub args...`.
    pub fn start(uhub: &Uhub, args: &[&str]) -> Terminal {
        Terminal::spawn(uhub.pty_command(args), 200)
    }

    /// A terminal of 50 rows and `cols` columns running `uhub args...`.
    pub fn start_with_width(uhub: &Uhub, cols: u16, args: &[&str]) -> Terminal {
        Terminal::spawn(uhub.pty_command(args), cols)
    }

    /// Runs `command` (e.g. a shell that redirects uhub's stdout) in a terminal `cols` wide.
    pub fn spawn(command: portable_pty::CommandBuilder, cols: u16) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize { rows: 50, cols, pixel_width: 0, pixel_height: 0 })
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

    /// Every byte the terminal received, as text.
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

/// Asserts the terminal received no byte that acts on it instead of showing: no ESC, BEL, lone
/// CR (the terminal's own CR LF aside), DEL, C1 control or bidi override.
pub fn assert_inert(screen: &str) {
    let without_crlf = screen.replace("\r\n", "\n");
    let active: Vec<char> = without_crlf
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    assert!(active.is_empty(), "the terminal received {active:?}:\n{screen:?}");
}
