// Type-checked in the fresh project (moduleResolution NodeNext): the `types` conditions of
// the three packages' exports resolve, and the public API is typed.
import type { AnnounceOptions, BgpSpeaker, SpeakerEvent } from '@anyvip/bgp';
import type { DecodeOptions, JsonObject } from '@anyvip/bgp/decode';
import type { Prefix } from '@anyvip/bgp/wire';
import type { AnyvipRuntime, ControllerConfig, ControllerEvent } from '@anyvip/controller';
import type { CheckEvent, CheckOptions } from '@anyvip/healthcheck';

export type Surface = [
  AnnounceOptions,
  BgpSpeaker,
  SpeakerEvent,
  DecodeOptions,
  JsonObject,
  Prefix,
  AnyvipRuntime,
  ControllerConfig,
  ControllerEvent,
  CheckEvent,
  CheckOptions,
];
export const announce: AnnounceOptions = { prefix: '10.250.255.1/32', communities: ['65002:100'] };
