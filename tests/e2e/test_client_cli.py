"""The postern client's command lines and the refusals that need no agent:
--help, usage errors, missing or bad credentials, an unknown target, an
untrusted broker certificate, and the session-manager-plugin contract's
non-session forms (cli-and-api.md §1)."""
import json

import pytest

from client_util import PLUGIN, POSTERN, client_env, run, start_args


def text(res):
    return res.stdout.decode(), res.stderr.decode()


def test_help_lists_the_flags_and_settings(tmp_path):
    res = run(["--help"], {"HOME": str(tmp_path)})
    out, err = text(res)
    assert res.returncode == 0 and err == ""
    for word in ("start-session", "--target", "--document-name", "--parameters", "--reason",
                 "--endpoint-url", "--ca", "--region", "--profile", "AWS_ENDPOINT_URL_SSM",
                 "AWS_CA_BUNDLE", "AWS_PROFILE", "~/.config/postern/config", "~.",
                 "session-manager-plugin"):
        assert word in out, word
    assert run(["start-session", "--help"], {"HOME": str(tmp_path)}).stdout.decode() == out


def test_version(tmp_path):
    res = run(["--version"], {"HOME": str(tmp_path)})
    assert res.returncode == 0
    assert res.stdout.decode().startswith("postern 0.") and "1.2.650.0" in res.stdout.decode()


@pytest.mark.parametrize("args, message", [
    ([], "usage: postern start-session"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["start-session"], "--target is required"),
    (["start-session", "--target"], "--target needs a value"),
    (["start-session", "--target", "i-1", "--colour", "x"], "unknown option '--colour'"),
    (["start-session", "--target", "i-1", "i-2"], "unexpected argument 'i-2'"),
    (["start-session", "--target", "i-1", "--target", "i-2"], "--target given twice"),
    (["start-session", "--target", "i-1", "--parameters", "a=1,a=2"], "a given twice"),
    (["start-session", "--target", "i-1", "--parameters", "{bad"], "bad JSON"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    res = run(args, {"HOME": str(tmp_path)})
    out, err = text(res)
    assert res.returncode == 2, err
    assert message in err and out == ""


def test_no_credentials(broker, tmp_path):
    env = client_env(broker, tmp_path, AWS_SHARED_CREDENTIALS_FILE=None)
    res = run(start_args(broker, "mi-00000000000000000"), env)
    out, err = text(res)
    assert res.returncode == 1 and out == ""
    assert err.startswith("postern: no credentials:")
    assert "AWS_ACCESS_KEY_ID" in err and "--profile" in err


def test_no_endpoint(broker, tmp_path):
    res = run(["start-session", "--target", "i-1"], client_env(broker, tmp_path))
    assert res.returncode == 1
    assert "postern: no endpoint" in res.stderr.decode()


def test_partial_environment_credentials(broker, tmp_path):
    env = client_env(broker, tmp_path, AWS_ACCESS_KEY_ID="PKIAAAAAAAAAAAAAAAAA")
    res = run(start_args(broker, "i-1"), env)
    assert res.returncode == 1
    assert "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" in res.stderr.decode()


def test_missing_profile(broker, tmp_path):
    res = run(start_args(broker, "i-1", "--profile", "nope"), client_env(broker, tmp_path))
    assert res.returncode == 1
    assert "profile nope not found in" in res.stderr.decode()


def test_wrong_credentials_are_refused_by_the_broker(broker, tmp_path):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    env = client_env(broker, tmp_path, AWS_ACCESS_KEY_ID="PKIAAAAAAAAAAAAAAAAA",
                     AWS_SECRET_ACCESS_KEY=secret)
    res = run(start_args(broker, "mi-00000000000000000"), env)
    out, err = text(res)
    assert res.returncode == 1 and out == ""
    assert err == ("postern: UnrecognizedClientException: "
                   "The security token included in the request is invalid.\n")
    assert secret not in err


def test_unknown_target_gets_the_brokers_error(broker, tmp_path):
    res = run(start_args(broker, "mi-00000000000000000"), client_env(broker, tmp_path))
    out, err = text(res)
    assert res.returncode == 1 and out == ""
    assert err.startswith("postern: TargetNotConnected: ")
    assert "mi-00000000000000000" in err


def test_unknown_document_gets_the_brokers_error(broker, tmp_path):
    res = run(start_args(broker, "mi-00000000000000000", "--document-name", "No-Such-Doc"),
              client_env(broker, tmp_path))
    assert res.returncode == 1
    assert res.stderr.decode().startswith("postern: InvalidDocument: ")


def test_untrusted_broker_certificate(broker, tmp_path):
    env = client_env(broker, tmp_path, AWS_CA_BUNDLE=None)
    res = run(start_args(broker, "mi-00000000000000000"), env)
    assert res.returncode == 1
    err = res.stderr.decode()
    assert err.startswith(f"postern: cannot reach {broker.url}: ")
    assert "--ca" in err


def test_ca_flag_and_config_file(broker, tmp_path):
    """--ca alone trusts the broker; so do endpoint-url and ca in the config file."""
    env = client_env(broker, tmp_path, AWS_CA_BUNDLE=None)
    res = run(start_args(broker, "mi-00000000000000000", "--ca", broker.ca), env)
    assert res.stderr.decode().startswith("postern: TargetNotConnected: ")
    conf = tmp_path / ".config" / "postern" / "config"
    conf.parent.mkdir(parents=True)
    conf.write_text(f"endpoint-url {broker.url}\nca {broker.ca}\n")
    # (another target: an identical request signed in the same second is a replay)
    res = run(["start-session", "--target", "mi-00000000000000001"], env)
    assert res.stderr.decode().startswith("postern: TargetNotConnected: ")


def test_broken_config_file(broker, tmp_path):
    conf = tmp_path / ".config" / "postern" / "config"
    conf.parent.mkdir(parents=True)
    conf.write_text("endpoint https://x\n")
    res = run(start_args(broker, "i-1"), client_env(broker, tmp_path))
    assert res.returncode == 1
    assert f"{conf}:1: unknown key 'endpoint'" in res.stderr.decode()


def test_unreachable_endpoint(broker, tmp_path):
    env = client_env(broker, tmp_path)
    res = run(["start-session", "--target", "i-1", "--endpoint-url", "https://127.0.0.1:1"], env)
    assert res.returncode == 1
    assert res.stderr.decode().startswith("postern: cannot reach https://127.0.0.1:1")


# ---- the session-manager-plugin contract (no session) ----------------------------

def test_plugin_without_arguments(tmp_path):
    for argv in ([str(PLUGIN)], [str(POSTERN), "session-manager-plugin"]):
        res = run(argv[1:], {"HOME": str(tmp_path)}, program=argv[0])
        assert res.returncode == 0
        assert "The Session Manager plugin was installed successfully" in res.stdout.decode()


def test_plugin_version_is_four_numbers_above_the_env_var_threshold(tmp_path):
    res = run(["--version"], {"HOME": str(tmp_path)}, program=PLUGIN)
    assert res.returncode == 0
    version = res.stdout.decode().strip()
    parts = [int(p) for p in version.split(".")]
    assert len(parts) == 4 and parts > [1, 2, 497, 0]


@pytest.mark.parametrize("args, message", [
    (["--help"], "unknown operation '--help'"),
    (["a", "b"], "unknown operation 'a'"),
    (["{}", "us-east-1", "TerminateSession"], "invalid operation 'TerminateSession'"),
    (["not json", "us-east-1", "StartSession"], "is not a JSON object"),
    (['{"SessionId":"s","StreamUrl":"wss://x"}', "us-east-1", "StartSession"],
     "no TokenValue string"),
    (["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession"],
     "AWS_SSM_START_SESSION_RESPONSE is not set"),
    (['{"SessionId":"s","TokenValue":"t","StreamUrl":"wss://x"}', "r", "StartSession", "",
      "{}", "https://e"], "no Target string"),
])
def test_plugin_refusals_exit_non_zero(tmp_path, args, message):
    res = run(args, {"HOME": str(tmp_path)}, program=PLUGIN)
    assert res.returncode == 2
    assert message in res.stderr.decode() and res.stdout == b""


def test_plugin_with_an_unreachable_stream_url(tmp_path):
    response = json.dumps({"SessionId": "s-1", "TokenValue": "secret-token",
                           "StreamUrl": "wss://127.0.0.1:1/v1/data-channel/s-1"})
    res = run([response, "us-east-1", "StartSession", "", '{"Target":"i-1"}',
               "https://127.0.0.1:1"], {"HOME": str(tmp_path)}, program=PLUGIN)
    err = res.stderr.decode()
    assert res.returncode == 1
    assert "cannot open the data channel" in err and "secret-token" not in err
