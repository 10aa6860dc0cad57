#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
//! What the black-box tests of `sdesk` share: running the binary, reading its output and CSV,
//! and a sandbox in the test process.

use std::process::{Command, Output};

pub const HEADER: &str = "id,start_date,end_date,duration_seconds,userid,username,deviceid,devicename,groupid,groupname,support_session_type,session_code,end_customer_name,end_customer_email,billing_state,fee,currency,notes,contact_id";

pub fn sdesk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sdesk"));
    cmd.args(args)
        .env_remove("SDESK_TOKEN")
        .env_remove("SDESK_API_URL")
        .env_remove("SDESK_DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sdesk runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn read_csv(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().collect::<Result<Vec<_>, _>>().unwrap();
    (header, rows)
}

/// A sandbox in this test process, for commands that must see each other's effects.
pub struct Running {
    pub sandbox: Option<sdesk_sandbox::Sandbox>,
    pub rt: tokio::runtime::Runtime,
}

impl Running {
    pub fn start(config: sdesk_sandbox::SandboxConfig) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sandbox = rt
            .block_on(sdesk_sandbox::Sandbox::start(
                config,
                ([127, 0, 0, 1], 0).into(),
            ))
            .unwrap();
        Self {
            sandbox: Some(sandbox),
            rt,
        }
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        let s = self.sandbox.as_ref().unwrap();
        vec![
            ("SDESK_API_URL", s.base_url().to_string()),
            ("SDESK_TOKEN", s.script_token()),
        ]
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        sdesk(args, &env)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}
