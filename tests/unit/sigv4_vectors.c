/*
 * sigv4_vectors.c — the SigV4 test vectors declared in sigv4_vectors.h.
 *
 * sigv4_suite: every case of AWS's Signature Version 4 test suite (the v4/
 * directory of aws-c-auth's tests/aws-signing-test-suite, header-signed
 * variant), converted by gen_sigv4_suite.py. Time 2015-08-30T12:36:00Z,
 * region us-east-1, service "service".
 *
 * sigv4_botocore: requests signed by botocore 2.0.0dev155 (Debian 12's
 * awscli 2.9.19) through a real `ssm`/`kms` client or SigV4Auth, converted by
 * gen_sigv4_vectors.py. The User-Agent and Content-Length headers botocore
 * adds are kept (unsigned) so the verifier sees the request as sent.
 */
#include "sigv4_vectors.h"

#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "test_util.h"

const struct sigv4_vector sigv4_suite[] = {
	{
		.name = "get-header-key-duplicate",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", "value2" },
			{ "My-Header1", "value2" },
			{ "My-Header1", "value1" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea" },
		},
		.n_headers = 6,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:value2,value2,value1\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
		.signer_agrees = false,
	},
	{
		.name = "get-header-value-multiline",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", "value1\n  value2\n     value3" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:value1 value2 value3\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"e99419459a677bc11de234014be3c4e72c1ea5b454ceb58b613061f5d7a162e8",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd",
		.signer_agrees = false,
	},
	{
		.name = "get-header-value-order",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", "value4" },
			{ "My-Header1", "value1" },
			{ "My-Header1", "value3" },
			{ "My-Header1", "value2" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01" },
		},
		.n_headers = 7,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:value4,value1,value3,value2\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
		.signer_agrees = false,
	},
	{
		.name = "get-header-value-trim",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", " value1" },
			{ "My-Header2", " \"a   b   c\"" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
		},
		.n_headers = 5,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:value1\n"
			"my-header2:\"a b c\"\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;my-header2;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
		.signer_agrees = false,
	},
	{
		.name = "get-relative-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example/..", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-relative-relative-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example1/example2/../..", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-relative-relative-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example1/example2/../..", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example1/example2/../..\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"76115030c0f3ff06c20fdff5ceb6d5e0b835a1743e00b94fea7c7f381269437b",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b",
		.signer_agrees = true,
	},
	{
		.name = "get-relative-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example/..", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example/..\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"0511f456aa502b456d135fcb9d749374a55228f9dbeedda1eacf659e05b0615b",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-dot-slash-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/./", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-dot-slash-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/./", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/./\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"d67825e2268bd77a97c7688b8d72c31a3c1855b309808505ba0a9747d2465aa7",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "//", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-pointless-dot-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/./example", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-pointless-dot-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/./example", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/./example\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"73895e0e829507e28e39fd24669aedc2434a8e179e547e3c075b42921f952cdb",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff",
		.signer_agrees = true,
	},
	{
		.name = "get-slash-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "//", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"//\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"80cb39203d058af815de2b79250ff56e1b73eb9b4718c86556cdc6f150c5d209",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e",
		.signer_agrees = true,
	},
	{
		.name = "get-slashes-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "//example//", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
		.signer_agrees = true,
	},
	{
		.name = "get-slashes-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "//example//", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"//example//\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"528ec3105ee1f34ab014bb0a1a45da0ed2742a4fea3555149e5b4d5d201eb240",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5",
		.signer_agrees = true,
	},
	{
		.name = "get-space-normalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example space/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example%20space/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
		.signer_agrees = true,
	},
	{
		.name = "get-space-unnormalized",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/example space/", .query = "",
		.flags = SIGV4_PATH_NO_NORMALIZE,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/example%20space/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
		.signer_agrees = true,
	},
	{
		.name = "get-unreserved",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
		.signer_agrees = true,
	},
	{
		.name = "get-utf8",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/\xe1""\x88""\xb4""", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/%E1%88%B4\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-empty-query-key",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "Param1=value1",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"Param1=value1\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-query",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-query-order-encoded",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-query-order-key-case",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "Param2=value2&Param1=value1",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"Param1=value1&Param2=value2\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-query-unreserved",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-utf8-query",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "\xe1""\x88""\xb4""=bar",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"%E1%88%B4=bar\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
		.signer_agrees = true,
	},
	{
		.name = "get-vanilla-with-session-token",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "GET", .path = "/", .query = "",
		.flags = 0,
		.token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Security-Token", "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"GET\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"x-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n"
			"\n"
			"host;x-amz-date;x-amz-security-token\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
		.signer_agrees = true,
	},
	{
		.name = "post-header-key-case",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		.signer_agrees = true,
	},
	{
		.name = "post-header-key-sort",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", "value1" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:value1\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
		.signer_agrees = false,
	},
	{
		.name = "post-header-value-case",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "My-Header1", "VALUE1" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"my-header1:VALUE1\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;my-header1;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
		.signer_agrees = false,
	},
	{
		.name = "post-sts-header-after",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Security-Token", "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		.signer_agrees = true,
	},
	{
		.name = "post-sts-header-before",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Security-Token", "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
		},
		.n_headers = 4,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"x-amz-security-token:AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==\n"
			"\n"
			"host;x-amz-date;x-amz-security-token\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
		.signer_agrees = true,
	},
	{
		.name = "post-vanilla",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		.signer_agrees = true,
	},
	{
		.name = "post-vanilla-empty-query-value",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "Param1=value1",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"Param1=value1\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
		.signer_agrees = true,
	},
	{
		.name = "post-vanilla-query",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "Param1=value1",
		.flags = 0,
		.token = NULL,
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "example.amazonaws.com" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
		},
		.n_headers = 3,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"Param1=value1\n"
			"host:example.amazonaws.com\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"host;x-amz-date\n"
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
		.signer_agrees = true,
	},
	{
		.name = "post-x-www-form-urlencoded",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "Param1=value1", .body_len = 13,
		.headers = {
			{ "Content-Type", "application/x-www-form-urlencoded" },
			{ "Host", "example.amazonaws.com" },
			{ "Content-Length", "13" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b" },
		},
		.n_headers = 6,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"content-length:13\n"
			"content-type:application/x-www-form-urlencoded\n"
			"host:example.amazonaws.com\n"
			"x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
			"9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
		.signer_agrees = false,
	},
	{
		.name = "post-x-www-form-urlencoded-parameters",
		.when = 1440938160, .region = "us-east-1", .service = "service",
		.method = "POST", .path = "/", .query = "",
		.flags = 0,
		.token = NULL,
		.body = "Param1=value1", .body_len = 13,
		.headers = {
			{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
			{ "Host", "example.amazonaws.com" },
			{ "Content-Length", "13" },
			{ "X-Amz-Date", "20150830T123600Z" },
			{ "x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422" },
		},
		.n_headers = 6,
		.amz_date = "20150830T123600Z",
		.canonical =
			"POST\n"
			"/\n"
			"\n"
			"content-length:13\n"
			"content-type:application/x-www-form-urlencoded; charset=utf-8\n"
			"host:example.amazonaws.com\n"
			"x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
			"x-amz-date:20150830T123600Z\n"
			"\n"
			"content-length;content-type;host;x-amz-content-sha256;x-amz-date\n"
			"9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
		.string_to_sign =
			"AWS4-HMAC-SHA256\n"
			"20150830T123600Z\n"
			"20150830/us-east-1/service/aws4_request\n"
			"a89f1a5b53e37702ee6363ce1da3ce8f54386f3c8f352ae652153c2982a0bc4d",
		.authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422",
		.signer_agrees = false,
	},
};
const size_t sigv4_suite_count = sizeof(sigv4_suite) / sizeof(sigv4_suite[0]);

const struct sigv4_vector sigv4_botocore[] = {
	{
		.name = "ssm StartSession",
		.when = 1700000000, .region = "us-east-1", .service = "ssm",
		.token = NULL,
		.method = "POST", .path = "/", .query = "",
		.body = "{\"Target\": \"mi-0123456789abcdef0\"}", .body_len = 34,
		.headers = {
			{ "Host", "127.0.0.1:8443" },
			{ "X-Amz-Target", "AmazonSSM.StartSession" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=730844b408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea" },
			{ "Content-Length", "34" },
		},
		.n_headers = 7,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=730844b408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea",
		.signer_agrees = true,
	},
	{
		.name = "ssm StartSession, session token",
		.when = 1700000000, .region = "us-east-1", .service = "ssm",
		.token = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==",
		.method = "POST", .path = "/", .query = "",
		.body = "{\"Target\": \"i-0fedcba9876543210\"}", .body_len = 33,
		.headers = {
			{ "Host", "127.0.0.1:8443" },
			{ "X-Amz-Target", "AmazonSSM.StartSession" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a4d8b4a087bf5a1da8d4c39f97a274812192c0fe6e5a88098914c0d916216ba6" },
			{ "Content-Length", "33" },
		},
		.n_headers = 8,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a4d8b4a087bf5a1da8d4c39f97a274812192c0fe6e5a88098914c0d916216ba6",
		.signer_agrees = true,
	},
	{
		.name = "ssm DescribeInstanceInformation, empty input",
		.when = 1700000000, .region = "us-east-1", .service = "ssm",
		.token = NULL,
		.method = "POST", .path = "/", .query = "",
		.body = "{}", .body_len = 2,
		.headers = {
			{ "Host", "127.0.0.1:8443" },
			{ "X-Amz-Target", "AmazonSSM.DescribeInstanceInformation" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=4e71171a084183da66765be46e1959a1b99352dc6d4db8d986818a422cae8533" },
			{ "Content-Length", "2" },
		},
		.n_headers = 7,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=4e71171a084183da66765be46e1959a1b99352dc6d4db8d986818a422cae8533",
		.signer_agrees = true,
	},
	{
		.name = "ssm StartSession, escaped non-ASCII",
		.when = 1700000000, .region = "eu-west-1", .service = "ssm",
		.token = NULL,
		.method = "POST", .path = "/", .query = "",
		.body = "{\"Target\": \"mi-0123456789abcdef0\", \"Reason\": \"caf\\u00e9 \\u2615 \\u00fcber\"}", .body_len = 74,
		.headers = {
			{ "Host", "127.0.0.1:8443" },
			{ "X-Amz-Target", "AmazonSSM.StartSession" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=08ea45cd45f2e58a905ede6b5605f92db2b6d3b3f2432b5582d096f36402f180" },
			{ "Content-Length", "74" },
		},
		.n_headers = 7,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=08ea45cd45f2e58a905ede6b5605f92db2b6d3b3f2432b5582d096f36402f180",
		.signer_agrees = true,
	},
	{
		.name = "kms GenerateDataKey, default port, leap day",
		.when = 1709251199, .region = "eu-west-1", .service = "kms",
		.token = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==",
		.method = "POST", .path = "/", .query = "",
		.body = "{\"KeyId\": \"alias/postern\", \"NumberOfBytes\": 32}", .body_len = 47,
		.headers = {
			{ "Host", "kms.eu-west-1.amazonaws.com" },
			{ "X-Amz-Target", "TrentService.GenerateDataKey" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155" },
			{ "X-Amz-Date", "20240229T235959Z" },
			{ "X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=c1d5a94b17a7572871aeaa0f620d4477abdb291a3d48a121eec5e20696a4f669" },
			{ "Content-Length", "47" },
		},
		.n_headers = 8,
		.amz_date = "20240229T235959Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=c1d5a94b17a7572871aeaa0f620d4477abdb291a3d48a121eec5e20696a4f669",
		.signer_agrees = true,
	},
	{
		.name = "raw UTF-8 body",
		.when = 1700000000, .region = "us-east-1", .service = "ssm",
		.token = NULL,
		.method = "POST", .path = "/", .query = "",
		.body = "{\"Target\":\"mi-0123456789abcdef0\",\"Reason\":\"caf\xc3""\xa9"" \xe2""\x98""\x95""\"}", .body_len = 54,
		.headers = {
			{ "Host", "127.0.0.1:8443" },
			{ "Content-Type", "application/x-amz-json-1.1" },
			{ "X-Amz-Target", "AmazonSSM.StartSession" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5370688b87b1f4da3748f7fb0075f9d9265075b7010af074541b595589129e75" },
		},
		.n_headers = 5,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5370688b87b1f4da3748f7fb0075f9d9265075b7010af074541b595589129e75",
		.signer_agrees = true,
	},
	{
		.name = "path normalisation and query",
		.when = 1700000000, .region = "us-east-1", .service = "ssmmessages",
		.token = "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==",
		.method = "GET", .path = "/v1/control%20channel/./i-0123//a%2Fb/../c~d/", .query = "role=publish_subscribe&A=%E1%88%B4&flag&empty=&x=%2F%20",
		.body = "", .body_len = 0,
		.headers = {
			{ "Host", "broker.example:8443" },
			{ "X-Amz-Target", "Postern.Test" },
			{ "X-Amz-Date", "20231114T221320Z" },
			{ "X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token==" },
			{ "Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssmmessages/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a850f073bf0173d5b14262620cc1e8a9afe38de79fe8d7b38511d13a739d3acc" },
		},
		.n_headers = 5,
		.amz_date = "20231114T221320Z",
		.authorization =
			"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/ssmmessages/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target, Signature=a850f073bf0173d5b14262620cc1e8a9afe38de79fe8d7b38511d13a739d3acc",
		.signer_agrees = true,
	},
};
const size_t sigv4_botocore_count = sizeof(sigv4_botocore) / sizeof(sigv4_botocore[0]);

struct sigv4_request sigv4_vector_request(const struct sigv4_vector *v)
{
	return (struct sigv4_request){
		.method = v->method,
		.path = v->path,
		.query = v->query,
		.headers = v->headers,
		.n_headers = v->n_headers,
		.body = (const uint8_t *)v->body,
		.body_len = v->body_len,
		.flags = v->flags,
	};
}

const struct sigv4_vector *sigv4_vector_find(const char *name)
{
	for (size_t i = 0; i < sigv4_suite_count; i++)
		if (strcmp(sigv4_suite[i].name, name) == 0)
			return &sigv4_suite[i];
	for (size_t i = 0; i < sigv4_botocore_count; i++)
		if (strcmp(sigv4_botocore[i].name, name) == 0)
			return &sigv4_botocore[i];
	return NULL;
}

int sigv4_vector_check(const struct sigv4_request *req, const char *authz, time_t now)
{
	struct sigv4_auth auth;
	size_t len = strlen(authz);
	uint8_t *copy = test_dup_exact(authz, len);
	int rc = copy ? sigv4_parse_authorization((const char *)copy, len, &auth) : PROTO_E_NOMEM;

	free(copy);
	if (rc == PROTO_OK)
		rc = sigv4_verify(&auth, req, VEC_SECRET, now, SIGV4_DEFAULT_SKEW, NULL);
	return rc;
}
