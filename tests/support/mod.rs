//! The emulator harness shared by the live integration tests: a pool of moto servers, our own
//! Bedrock control-plane test server, SDK seeding helpers and a runner for the real binary.
//!
//! Each test binary includes this with `mod support;` and uses only part of it.
#![allow(dead_code)]

pub mod account;
pub mod account_server;
pub mod bedrock_server;
pub mod cloudwatch_server;
pub mod http;
pub mod iam_eval;
pub mod moto;
pub mod scanner;
pub mod seed;
