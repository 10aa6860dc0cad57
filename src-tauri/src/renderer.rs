//! Which renderer WebKitGTK paints with (Linux only).
//!
//! WebKitGTK ≥ 2.46 rasterises pages with Skia on the GPU. A machine without a GPU — a VM, a
//! remote desktop, a thin client, Xvfb — has no DRM render node, so "the GPU" is Mesa's
//! software OpenGL (llvmpipe), and rasterising through it is several times slower than Skia's
//! own CPU renderer: with 100,000 log rows loaded, keystroke → repaint took 94 ms (median)
//! through llvmpipe and 37 ms on the CPU renderer (`scripts/bench-app.sh`, bench/README.md).
//! So without a render node the app asks for the CPU renderer. A user who set
//! `WEBKIT_SKIA_ENABLE_CPU_RENDERING` (to anything, `0` included) keeps their choice.

use std::ffi::OsString;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// WebKitGTK's switch: set and not `0` = CPU rendering.
pub const CPU_RENDERING_VAR: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Whether to ask WebKit for CPU rendering: only when the user left the switch alone and the
/// machine has no GPU render node.
pub fn wants_cpu_rendering(user_setting: Option<&OsString>, has_render_node: bool) -> bool {
    user_setting.is_none() && !has_render_node
}

/// Whether `dri_dir` (normally `/dev/dri`) holds a render node (`renderD128`, …).
pub fn has_render_node(dri_dir: &Path) -> bool {
    std::fs::read_dir(dri_dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

static CHOSE_CPU: AtomicBool = AtomicBool::new(false);

/// Applies the choice to this process's environment (inherited by WebKit's web process).
/// Call first thing in `main`, before any thread exists and before WebKit starts (the logger
/// does not exist yet either: [`chose_cpu`] tells the setup whether to log it).
pub fn choose() {
    let user = std::env::var_os(CPU_RENDERING_VAR);
    if wants_cpu_rendering(user.as_ref(), has_render_node(Path::new("/dev/dri"))) {
        std::env::set_var(CPU_RENDERING_VAR, "1");
        CHOSE_CPU.store(true, Ordering::Relaxed);
    }
}

/// Whether [`choose`] switched WebKit to its CPU renderer.
pub fn chose_cpu() -> bool {
    CHOSE_CPU.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_rendering_only_without_a_render_node_and_without_a_user_choice() {
        assert!(
            wants_cpu_rendering(None, false),
            "no GPU: the software-GL path is slower than the CPU renderer"
        );
        assert!(
            !wants_cpu_rendering(None, true),
            "a real GPU keeps WebKit's default (GPU) rendering"
        );
        let zero = OsString::from("0");
        assert!(
            !wants_cpu_rendering(Some(&zero), false),
            "a user who set the switch (even to 0) keeps their choice"
        );
    }

    #[test]
    fn finds_render_nodes_and_ignores_other_dri_entries() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()), "an empty /dev/dri: no GPU");
        std::fs::write(dir.path().join("card0"), b"").unwrap();
        assert!(
            !has_render_node(dir.path()),
            "a display-only card (no render node) cannot rasterise"
        );
        std::fs::write(dir.path().join("renderD128"), b"").unwrap();
        assert!(has_render_node(dir.path()), "renderD128 is a GPU");
        assert!(
            !has_render_node(&dir.path().join("missing")),
            "no /dev/dri at all: no GPU"
        );
    }
}
